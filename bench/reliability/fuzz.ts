/**
 * Fuzzing a live server: hostile clients send mutated frames (`frame_mutations.ts`, seeded from
 * the conformance vectors) over many connections, opening a new one whenever the server closes
 * theirs, while well-behaved neighbours do echo requests and check every reply, and a probe
 * opens a fresh connection every second that must be answered within a deadline. Counts
 * crashes (the server process exits), hangs (failed probes), the close codes the hostile clients
 * got, neighbour errors, and the server's memory. Prints one JSON line.
 *
 * A hostile connection writes its frames in bursts of 1 to 4, waiting a millisecond between
 * bursts, and stops once the server's close frame or end arrives; after a protocol violation
 * the server reads nothing more, so frames of a burst behind the offending one go unread. After
 * 1 to 64 frames without being closed, a hostile client closes (code 1000) and reconnects.
 *
 * Usage (run by `node bench/reliability/faults.mjs`, bundled for Node):
 *   node dist/bench/fuzz.mjs --runtime bun|deno|deno-tcp|node [--frames N] [--seed S] [--hostile N]
 *     [--neighbours N] [--deadline MS]
 *
 * @module
 */

import process from "node:process";
import { TcpClient } from "../../testing/tcp_client.ts";
import { maskedCloseFrame, oneWrite } from "../../testing/ws_frame.ts";
import { neighbourStats, probe, runNeighbour } from "./echo_neighbour.ts";
import { numberOption, runtimeOption } from "./fault_args.ts";
import { startFaultServer } from "./fault_server_process.ts";
import { fuzzBases, mutatedFrame } from "./frame_mutations.ts";
import { SeededRandom } from "./seeded_random.ts";

const runtime = runtimeOption();
const frames = numberOption("--frames", 1_000_000);
const seed = numberOption("--seed", 1);
const hostileCount = numberOption("--hostile", 16);
const neighbourCount = numberOption("--neighbours", 4);
const deadline = numberOption("--deadline", 5000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const bases = await fuzzBases();
const random = new SeededRandom(seed);
const server = await startFaultServer(runtime);
const alive = () => server.exit() === null;

let budget = frames;
let sent = 0;
let connections = 0;
let connectErrors = 0;
let replies = 0;
const closeCodes: Record<string, number> = {};
const mutationKinds: Record<string, number> = {};
const count = (table: Record<string, number>, key: string) => table[key] = (table[key] ?? 0) + 1;

async function hostile(random: SeededRandom): Promise<void> {
  while (budget > 0 && alive()) {
    let client: TcpClient;
    try {
      client = await TcpClient.connect(server.url);
    } catch {
      connectErrors++;
      await sleep(50);
      continue;
    }
    connections++;
    let over = false;
    const closed = client.closeFrame(30_000).then(
      (close) => {
        replies += close?.before.length ?? 0;
        return close === null ? "ended without a close frame" : String(close.code);
      },
      () => "no close within 30 s",
    ).finally(() => over = true);
    const limit = random.between(1, 64);
    let written = 0;
    while (!over && written < limit && budget > 0) {
      const burst = Math.min(random.between(1, 4), limit - written, budget);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < burst; i++) {
        const frame = mutatedFrame(bases, random);
        parts.push(frame.bytes);
        count(mutationKinds, frame.kind.split("+")[0]);
        if (frame.kind.endsWith("+text")) count(mutationKinds, "(as a text frame)");
      }
      client.write(oneWrite(parts));
      written += burst;
      budget -= burst;
      sent += burst;
      await sleep(1);
    }
    let closedByUs = false;
    if (!over) {
      closedByUs = true;
      client.write(maskedCloseFrame(1000));
    }
    const code = await closed;
    // The server's own code even then, unless it only answered the client's close.
    count(closeCodes, closedByUs && code === "1000" ? "1000 (the client closed)" : code);
    client.destroy();
  }
}

const stats = neighbourStats();
let hostilesDone = false;
const neighbours = Array.from(
  { length: neighbourCount },
  () => runNeighbour(server.url, random.fork(), stats, () => !hostilesDone && alive(), deadline),
);
await sleep(500);
const rssStart = server.rssKiB();
let rssPeak = rssStart;
let hangs = 0;
let probes = 0;
let probeMax = 0;
const started = performance.now();
const watcher = (async () => {
  while (!hostilesDone && alive()) {
    await sleep(1000);
    rssPeak = Math.max(rssPeak, server.rssKiB() || 0);
    const took = await probe(server.url, deadline);
    probes++;
    if (took === null) {
      if (alive()) hangs++;
    } else probeMax = Math.max(probeMax, took);
  }
})();
await Promise.all(Array.from({ length: hostileCount }, () => hostile(random.fork())));
const seconds = (performance.now() - started) / 1000;
hostilesDone = true;
await Promise.all([...neighbours, watcher]);
// A last probe once the storm is over, and the memory after it has settled.
const last = alive() ? await probe(server.url, deadline) : null;
probes++;
if (last === null && alive()) hangs++;
await sleep(2000);
const rssEnd = server.rssKiB();
const exit = server.exit();
await server.stop();

console.log(JSON.stringify({
  runtime,
  seed,
  frames: sent,
  seconds: Number(seconds.toFixed(1)),
  hostileClients: hostileCount,
  connections,
  connectErrors,
  repliesToHostileClients: replies,
  crashes: exit === null ? 0 : 1,
  exit,
  hangs,
  probes,
  probeMaxMs: Number(probeMax.toFixed(1)),
  closeCodes,
  mutations: mutationKinds,
  neighbours: neighbourCount,
  neighbourRequests: stats.requests,
  neighbourErrors: stats.errors,
  neighbourErrorSamples: stats.samples,
  rssStartKiB: rssStart,
  rssPeakKiB: rssPeak,
  rssEndKiB: rssEnd,
  serverLogged: server.errorLines.length,
  serverLoggedSample: server.errorLines.slice(0, 5),
}));
process.exit(0);
