/**
 * A slow reader against a live server: a client that completes the handshake, then sends echo
 * requests (4 KiB payloads) as fast as the server reads them and never reads a reply, while a
 * well-behaved neighbour does echo requests beside it. Measures the server's resident memory
 * (its growth at the peak, against the bytes the reader made it answer), the time until the
 * server closed the connection for not reading (`maxSendBuffer`, from the server's own
 * `SLOW-READER` line), the time from that decision until the server's end of the TCP connection
 * is gone from `/proc/net/tcp` (or no longer held by the server process: `closeTimeout`), and
 * the neighbour's errors. Linux only. Prints one JSON line.
 *
 * Usage (run by `node bench/reliability/faults.mjs`, bundled for Node):
 *   node dist/bench/slow_reader.mjs --runtime bun|deno|deno-tcp|node [--max-send-buffer B]
 *     [--close-timeout MS] [--payload B] [--seed S]
 *
 * @module
 */

import process from "node:process";
import { encodeRequest, requestIdFromNumber } from "../../protocol/mod.ts";
import { stalledClient } from "../../testing/stalled_client.ts";
import { tcpEnd } from "../../testing/tcp_state.ts";
import { maskedFrame } from "../../testing/ws_frame.ts";
import { neighbourStats, runNeighbour } from "./echo_neighbour.ts";
import { numberOption, runtimeOption } from "./fault_args.ts";
import { startFaultServer } from "./fault_server_process.ts";
import { SeededRandom } from "./seeded_random.ts";

const runtime = runtimeOption();
const maxSendBuffer = numberOption("--max-send-buffer", 8 * 1024 * 1024);
const closeTimeout = numberOption("--close-timeout", 5000);
const payloadSize = numberOption("--payload", 4096);
const seed = numberOption("--seed", 1);
/** How long the reader may keep sending before the run gives up on a decision. */
const decisionLimitMs = 60_000;
/** How long after the decision the run waits for the socket to go: twice its deadline, and 3 s. */
const goneLimitMs = 2 * closeTimeout + 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wallClock = () => performance.timeOrigin + performance.now();

const server = await startFaultServer(runtime, [
  "--max-send-buffer",
  String(maxSendBuffer),
  "--close-timeout",
  String(closeTimeout),
]);
const stats = neighbourStats();
let neighbourRunning = true;
const neighbour = runNeighbour(
  server.url,
  new SeededRandom(seed),
  stats,
  () => neighbourRunning && server.exit() === null,
);
await sleep(500);
const rssBefore = server.rssKiB();
const reader = await stalledClient(server.url, new Uint8Array(0));
reader.on("error", () => {});
const localPort = reader.localPort!;
const started = wallClock();
let rssPeak = rssBefore;
let goneAt: number | undefined;
let serverEnd = "unknown";
let sampling = true;
/** When each late sample ran, and how late (ms past its 10 ms sleep). */
const lateSamples: [at: number, late: number][] = [];
// Every 10 ms: the server's memory, and its end of the reader's TCP connection.
const sampler = (async () => {
  let due = wallClock() + 10;
  while (sampling) {
    const now = wallClock();
    if (now > due) lateSamples.push([now, now - due]);
    rssPeak = Math.max(rssPeak, server.rssKiB() || 0);
    if (goneAt === undefined) {
      const end = tcpEnd(server.port, localPort);
      if (end === null || !end.held) {
        goneAt = wallClock();
        serverEnd = end === null ? "gone" : `${end.state}, no longer held by the server`;
      } else serverEnd = `${end.state}, held by the server`;
    }
    due = wallClock() + 10;
    await sleep(10);
  }
})();

let bytesSent = 0;
let requests = 0;
const payload = new Uint8Array(payloadSize).fill(7);
const decided = () => server.slowReaderCloses[0];
// The reader keeps sending until its connection is gone, or until its writes have been stuck for
// a second after the decision (the server stopped reading), or the time is up.
while (goneAt === undefined && wallClock() - started < decisionLimitMs) {
  const frame = maskedFrame(
    encodeRequest({ id: requestIdFromNumber(++requests), name: "echo", payload }),
  );
  bytesSent += frame.length;
  // Now and then a turn for the neighbour, which shares this process.
  if (requests % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  if (!reader.write(frame)) {
    const drained = await Promise.race([
      new Promise((resolve) => reader.once("drain", () => resolve(true))),
      sleep(1000).then(() => false),
    ]);
    if (!drained && decided() !== undefined) break;
  }
}
const decidedAt = decided();
while (goneAt === undefined && decidedAt !== undefined && wallClock() - decidedAt < goneLimitMs) {
  await sleep(10);
}
await sleep(1000);
sampling = false;
await sampler;
neighbourRunning = false;
await neighbour;
reader.destroy();
await sleep(1000);
const rssAfter = server.rssKiB();
const exit = server.exit();
await server.stop();

console.log(JSON.stringify({
  runtime,
  maxSendBuffer,
  closeTimeout,
  payload: payloadSize,
  requests,
  bytesSent,
  decisionMs: decidedAt === undefined ? null : Number((decidedAt - started).toFixed(0)),
  goneAfterDecisionMs: goneAt === undefined || decidedAt === undefined
    ? null
    : Number((goneAt - decidedAt).toFixed(0)),
  // How late this process's event loop ran between the decision and the socket's end.
  loopLateMs: decidedAt === undefined ? 0 : Number(
    lateSamples
      .filter(([at]) => at > decidedAt && (goneAt === undefined || at <= goneAt))
      .reduce((sum, [, late]) => sum + late, 0)
      .toFixed(0),
  ),
  serverEnd,
  rssBeforeKiB: rssBefore,
  rssPeakKiB: rssPeak,
  rssGrowthKiB: rssPeak - rssBefore,
  rssAfterKiB: rssAfter,
  neighbourRequests: stats.requests,
  neighbourErrors: stats.errors,
  neighbourErrorSamples: stats.samples.map((sample, i) =>
    `${sample} (at ${(stats.sampleTimes[i] - started).toFixed(0)} ms)`
  ),
  crashes: exit === null ? 0 : 1,
  serverLogged: server.errorLines.length,
  serverLoggedSample: server.errorLines.slice(0, 5),
}));
process.exit(0);
