// What a client sees when the server closes its connection, per adapter of the runtime that
// runs this script: for each reason the server closes for, the close codes the client's own
// WebSocket (the runtime's; `ws` on Node) reported over N trials, once for a client that stops
// sending after the offending frame and once for one that keeps sending (heartbeats every ms).
// Prints one JSON line per adapter.
//
// Usage: deno run -A bench/reliability/close_codes.ts [trials] [adapter,...]
//        bun bench/reliability/close_codes.ts [trials] [adapter,...]
//        node bench/reliability/close_codes.mjs (all three runtimes, Node bundled with esbuild)
import { encodeHeartbeat, encodeRequest, requestIdFromNumber } from "../../protocol/mod.ts";
import { silentLogger } from "../../protocol/logger.ts";
import { type StartOptions, startServer } from "../../testing/serve.ts";

type Adapter = "runtime" | "hono" | "node";
type Behaviour = "stops" | "keeps sending";

interface Scenario {
  name: string;
  expected: number;
  options: StartOptions;
  /** What the client sends once connected (nothing for a silent client). */
  offend(socket: WebSocket): void;
  /** Closes it from the server's side when the client does nothing wrong. */
  serverSide?(close: () => Promise<void>): void;
  behaviours: Behaviour[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const both: Behaviour[] = ["stops", "keeps sending"];

const scenarios: Scenario[] = [
  {
    name: "malformed message",
    expected: 1002,
    options: {},
    offend: (socket) => socket.send(new Uint8Array([6, 0, 0])),
    behaviours: both,
  },
  {
    name: "text frame",
    expected: 1003,
    options: {},
    offend: (socket) => socket.send("hello"),
    behaviours: both,
  },
  {
    name: "message too big",
    expected: 1009,
    options: { messageBufferSize: 1024 },
    offend: (socket) => socket.send(new Uint8Array(2048)),
    behaviours: both,
  },
  {
    name: "flood",
    expected: 1008,
    options: {
      maxPendingMessages: 4,
      onRequest: async () => {
        await sleep(100);
        return "late";
      },
    },
    offend: (socket) => {
      for (let i = 1; i <= 5; i++) {
        socket.send(
          encodeRequest({ id: requestIdFromNumber(i), name: "x" }) as Uint8Array<ArrayBuffer>,
        );
      }
    },
    behaviours: both,
  },
  {
    name: "read timeout",
    expected: 4000,
    options: { readTimeout: 1000 },
    offend: () => {},
    // A client that sends keeps the connection alive.
    behaviours: ["stops"],
  },
  {
    name: "shutdown",
    expected: 1001,
    options: {},
    offend: () => {},
    serverSide: (close) => void sleep(50).then(close),
    behaviours: both,
  },
];

async function clientClass(): Promise<typeof WebSocket> {
  if (typeof globalThis.WebSocket === "function") return globalThis.WebSocket;
  const ws = await import("ws");
  return ws.WebSocket as unknown as typeof WebSocket;
}

async function trial(
  Client: typeof WebSocket,
  adapter: Adapter,
  scenario: Scenario,
  behaviour: Behaviour,
): Promise<string> {
  const running = await startServer({ adapter, logger: silentLogger, ...scenario.options });
  try {
    return await new Promise<string>((resolve) => {
      const socket = new Client(running.url);
      socket.binaryType = "arraybuffer";
      let timer: ReturnType<typeof setInterval> | undefined;
      const giveUp = setTimeout(() => resolve("no close within 10 s"), 10_000);
      socket.onopen = () => {
        scenario.offend(socket);
        scenario.serverSide?.(() => running.server.shutdown());
        if (behaviour === "keeps sending") {
          const heartbeat = encodeHeartbeat() as Uint8Array<ArrayBuffer>;
          timer = setInterval(() => {
            if (socket.readyState === 1) socket.send(heartbeat);
          }, 1);
        }
      };
      socket.onerror = () => {};
      socket.onclose = (event) => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve(String(event.code));
      };
    });
  } finally {
    await running.close();
  }
}

const trials = Number(process.argv[2] ?? 10);
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const adapters = (process.argv[3]?.split(",") ??
  (runtime === "node"
    ? ["node"]
    : runtime === "deno"
    ? ["runtime", "hono", "node", "deno-tcp"]
    : ["runtime", "hono", "node"])) as Adapter[];
const Client = await clientClass();
for (const adapter of adapters) {
  const results: Record<string, Record<string, number>> = {};
  for (const scenario of scenarios) {
    for (const behaviour of scenario.behaviours) {
      const counts: Record<string, number> = {};
      for (let i = 0; i < trials; i++) {
        const code = await trial(Client, adapter, scenario, behaviour);
        counts[code] = (counts[code] ?? 0) + 1;
      }
      results[`${scenario.name} (${scenario.expected}), client ${behaviour}`] = counts;
    }
  }
  console.log(JSON.stringify({ runtime, adapter, trials, results }));
}
process.exit(0);
