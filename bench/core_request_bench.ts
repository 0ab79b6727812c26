// What the server core costs per request, in one process and without sockets: 16-byte `echo`
// requests of the conformance service fed to connections as a runtime's adapter would, each
// reply handed to a transport that drops it. Beside it, the same requests answered by the
// protocol's floor (type byte, id and payload copied into a reused buffer, as
// bench/e2e/protocol_floor_deno.ts does over a socket) and by a send of the request's own bytes
// (what a raw echo does). The e2e benchmark's server CPU per reply moves by ±20 % between
// rounds on a shared machine; this one moves by a few per cent, so a change of 50 ns in the
// core shows here where it cannot show there.
//
// Request ids are the reference client's little-endian counter, or random bytes (`--ids
// random`), which a client may send (PROTOCOL.md: ids are opaque) and which the core keys as
// strings past 2^53. Prints one JSON line per case: ns per request, the median of 7 rounds.
//
// Usage: deno run -A bench/core_request_bench.ts [--ids counter|random]
//        bun bench/core_request_bench.ts [--ids counter|random]
import process from "node:process";
import { eventHandled, handlingEvent } from "../adapters/event_turn.ts";
import { conformanceService } from "../conformance/service.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { Server } from "../server/server.ts";
import type { TransportEvents, TransportSocket } from "../server/transport.ts";

const randomIds = process.argv.includes("random");
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
/** Requests per round; each shape feeds them as connections × burst, round robin. */
const perRound = 400_000;

/** A socket whose sends go nowhere: the core's cost alone. */
class DroppingSocket implements TransportSocket {
  sentBytes = 0;
  readonly bufferedAmount = 0;
  readonly copiesOnSend = true;
  send(bytes: Uint8Array): void {
    this.sentBytes += bytes.length;
  }
  close(): void {}
  terminate(): void {}
}

type Answer = (socket: DroppingSocket, events: TransportEvents, bytes: Uint8Array) => void;

const cases: Record<string, Answer> = {
  webwire: (_socket, events, bytes) => {
    // As the Deno and Bun adapters deliver a message: an event turn of its own.
    handlingEvent();
    try {
      events.message(bytes);
    } finally {
      eventHandled();
    }
  },
  "protocol floor": (socket, _events, bytes) => {
    const payloadAt = 10 + bytes[9] + (bytes[0] === 129 ? bytes[9] & 1 : 0);
    const length = 9 + bytes.length - payloadAt;
    floorScratch[0] = 191;
    floorScratch.set(bytes.subarray(1, 9), 1);
    floorScratch.set(bytes.subarray(payloadAt), 9);
    socket.send(floorScratch.subarray(0, length));
  },
  "raw echo": (socket, _events, bytes) => socket.send(bytes),
};
const floorScratch = new Uint8Array(64 * 1024);

/** The requests one connection sends in a burst: ids 1 to `burst` (or random). */
function burstOf(burst: number): Uint8Array[] {
  return Array.from({ length: burst }, (_, index) => {
    const id = new Uint8Array(8);
    if (randomIds) crypto.getRandomValues(id);
    else new DataView(id.buffer).setUint32(0, index + 1, true);
    return encodeRequest({ id, name: "echo", payload: new Uint8Array(16) });
  });
}

/** ns per request over `perRound` requests; the core overwrites a request to echo it. */
function round(
  answer: Answer,
  sockets: DroppingSocket[],
  events: TransportEvents[],
  template: Uint8Array,
  size: number,
  burst: number,
): number {
  const work = new Uint8Array(template.length);
  let elapsed = 0;
  for (let done = 0; done < perRound;) {
    work.set(template); // untimed: every request as it came
    const started = performance.now();
    let at = 0;
    while (at < work.length) {
      for (let c = 0; c < sockets.length; c++) {
        for (let i = 0; i < burst; i++, at += size) {
          answer(sockets[c], events[c], new Uint8Array(work.buffer, at, size));
        }
      }
    }
    elapsed += performance.now() - started;
    done += work.length / size;
  }
  return elapsed * 1e6 / perRound;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

for (const [connections, burst] of [[16, 64], [256, 16]]) {
  const server = new Server({ ...conformanceService(), sessionsEnabled: false });
  const sockets = Array.from({ length: connections }, () => new DroppingSocket());
  const events = sockets.map((socket) => server.accept(socket));
  const requests = burstOf(burst);
  const size = requests[0].length;
  // About 64 K requests per pass, each connection's burst in turn, all in one buffer.
  const passes = Math.max(1, Math.floor(65_536 / (connections * burst)));
  const template = new Uint8Array(passes * connections * burst * size);
  for (let at = 0, i = 0; at < template.length; at += size, i++) {
    template.set(requests[i % burst], at);
  }
  for (const [name, answer] of Object.entries(cases)) {
    const times: number[] = [];
    for (let r = 0; r < 8; r++) {
      const ns = round(answer, sockets, events, template, size, burst);
      if (r > 0) times.push(ns); // the first round warms the JIT up
    }
    const replied = sockets.every((socket) => socket.sentBytes > 0);
    if (!replied) throw new Error(`${name}: a connection sent no reply`);
    console.log(JSON.stringify({
      runtime,
      ids: randomIds ? "random" : "counter",
      point: `${connections}×${burst}`,
      case: name,
      nsPerRequest: Number(median(times).toFixed(1)),
      rounds: times.map((ns) => Number(ns.toFixed(1))),
    }));
  }
  await server.shutdown();
}
