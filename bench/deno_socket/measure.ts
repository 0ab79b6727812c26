/**
 * The Deno socket benchmark: our `Client` in Deno over Deno's own `WebSocket` and over
 * `DenoWebSocket` (adapters/deno_websocket.ts), against the client benchmark's reply server
 * (bench/client/reply_server.ts, started here on Bun), one request after another in three
 * patterns: a 16-byte request, a 2 KiB request, and a 16-byte signal sent just before a 16-byte
 * request. Both sockets run every pattern in alternating windows of `--count` round trips
 * (default 50), `--rounds` times (default 3). Prints one JSON line: per socket and pattern, the
 * median window's milliseconds per round trip of each round.
 *
 * Usage: deno run -A bench/deno_socket/measure.ts [--quick]
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import type { WebSocketConstructor } from "../../client/websocket_like.ts";
import { DenoWebSocket } from "../../adapters/deno_websocket.ts";

const quick = Deno.args.includes("--quick");
const count = quick ? 10 : 50;
const rounds = quick ? 1 : 3;
const windows = quick ? 1 : 5;

const sockets: Record<string, WebSocketConstructor> = {
  "Deno's WebSocket": WebSocket,
  DenoWebSocket,
};
const small = new Uint8Array(16);
const large = new Uint8Array(2048);
const patterns: Record<string, (client: Client) => Promise<unknown>> = {
  "request 16 B": (client) => client.request("users.get", small),
  "request 2 KiB": (client) => client.request("users.get", large),
  "signal 16 B, then request 16 B": (client) => {
    client.signal("users.seen", small);
    return client.request("users.get", small);
  },
};

async function startReplyServer(): Promise<{ url: string; child: Deno.ChildProcess }> {
  const bun = new URL("../../node_modules/.bin/bun", import.meta.url).pathname;
  const script = new URL("../client/reply_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(bun, {
    args: [script, "--lifetime", "600"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the reply server ended before it was ready");
    output += value;
    const match = /^READY (\S+) \d+$/m.exec(output);
    if (match !== null) {
      reader.releaseLock();
      return { url: match[1], child };
    }
  }
}

/** Milliseconds per round trip over `count` round trips. */
async function window(client: Client, pattern: (client: Client) => Promise<unknown>) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await pattern(client);
  return (performance.now() - started) / count;
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

const { url, child } = await startReplyServer();
const clients = Object.fromEntries(
  await Promise.all(
    Object.entries(sockets).map(async ([name, WebSocket]) => {
      const client = new Client(url, { WebSocket });
      await client.connect();
      return [name, client] as const;
    }),
  ),
);
const results: { socket: string; pattern: string; rounds: number[] }[] = [];
for (const [socket] of Object.entries(sockets)) {
  for (const pattern of Object.keys(patterns)) results.push({ socket, pattern, rounds: [] });
}
for (let round = 0; round < rounds; round++) {
  for (const [pattern, run] of Object.entries(patterns)) {
    await window(clients["DenoWebSocket"], run); // warm-up
    const names = Object.keys(sockets);
    if (round % 2 === 1) names.reverse();
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let w = 0; w < windows; w++) {
      for (const name of names) times[name].push(await window(clients[name], run));
    }
    for (const name of names) {
      results.find((r) => r.socket === name && r.pattern === pattern)!.rounds.push(
        median(times[name]),
      );
    }
  }
}
for (const client of Object.values(clients)) await client.close();
child.kill("SIGTERM");
await child.status;
console.log(JSON.stringify({ deno: Deno.version.deno, count, windows, rounds, results }));
