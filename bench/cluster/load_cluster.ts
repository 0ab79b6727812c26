/**
 * The cluster load generator (Bun): holds N connections on node B, each with its own target (a
 * session it logged in to and a topic it joined on our server; a room it joined on socket.io),
 * and one control connection to node A, which it asks to send stamped signals to those targets.
 * Node A's signals cross Redis to node B, which delivers them here. Prints one JSON line
 * (`ClusterResult`).
 *
 * Per mode, two phases on the same connections:
 * - **latency**: A sends at a moderate fixed rate (`--rate`, after `--warmup` unmeasured
 *   signals); each signal's latency is its arrival here minus A's stamp (same machine, same
 *   clock), p50 / p90 / p99 over the measured ones.
 * - **throughput**: A sends as fast as it can, with at most `--window` signals not yet reported
 *   received (this process reports its count to A every tenth of the window), so the queues
 *   between the nodes stay bounded; throughput is the signals received after the first tenth
 *   divided by the time they took to arrive. The CPU time of A, B, Redis and this process over
 *   the phase (from `/proc/<pid>/stat`) is divided by the signals.
 *
 * Every signal must reach the connection it was meant for, once; a missing one is counted as
 * lost (the phase ends 3 s after the last arrival once A has sent everything).
 *
 * Usage: `bun bench/cluster/load_cluster.ts --client webwire|socketio --receive <B url>
 * --control <A url> [--connections 100] [--modes session,topic] [--rate 1000] [--count 5000]
 * [--warmup 1000] [--flood 50000] [--window 4000] [--pids A,B,redis] [--clock-ticks 100]`
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import { readPayload, signalName } from "../broadcast/signal_layout.ts";
import { cpuTicks, deadline, fail } from "../e2e/load_common.ts";
import type { RunResult, RunSpec } from "./emission.ts";
import { RawWebWire } from "./raw_webwire.ts";

/** One phase's figures. Times in ms. */
export interface PhaseResult {
  /** `latency` (paced) or `throughput` (as fast as the window allows). */
  phase: "latency" | "throughput";
  /** Requested signals per second (0: unpaced). */
  rate: number;
  /** Signals sent, the unmeasured warm-up included. */
  sent: number;
  /** Signals measured (after the warm-up, or all of the throughput phase). */
  measured: number;
  /** Measured signals that never arrived. */
  lost: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Measured signals per second as A sent them (from their stamps). */
  sendRate: number;
  /** Signals per second received after the first tenth (throughput phase). */
  throughput: number;
  /** CPU µs per signal over the phase: node A, node B, Redis, this generator. */
  cpuUs: { a: number | null; b: number | null; redis: number | null; generator: number };
  /** What node A answered. */
  run: RunResult;
}

/** What the generator prints. */
export interface ClusterResult {
  client: "webwire" | "socketio";
  connections: number;
  /** Seconds to open the connections and log them in / join them. */
  setupSeconds: number;
  modes: { mode: RunSpec["mode"]; latency: PhaseResult; throughput: PhaseResult }[];
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    client: { type: "string", default: "webwire" },
    receive: { type: "string" },
    control: { type: "string" },
    connections: { type: "string", default: "100" },
    modes: { type: "string" },
    rate: { type: "string", default: "1000" },
    count: { type: "string", default: "5000" },
    warmup: { type: "string", default: "1000" },
    flood: { type: "string", default: "50000" },
    window: { type: "string", default: "4000" },
    pids: { type: "string", default: "0,0,0" },
    "clock-ticks": { type: "string", default: "100" },
  },
});

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
  }
  return n;
}

function loopback(name: string, url: string | undefined): string {
  if (url === undefined) throw new Error(`--${name} is required`);
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost") {
    throw new Error(`the load generator only targets loopback, not ${host}`);
  }
  return url;
}

function parseClient(text: string): ClusterResult["client"] {
  if (text !== "webwire" && text !== "socketio") throw new Error(`unknown --client ${text}`);
  return text;
}

const client = parseClient(values.client);
const options = {
  receive: loopback("receive", values.receive),
  control: loopback("control", values.control),
  connections: int("connections", values.connections, 1, 10_000),
  modes: (values.modes ?? (client === "webwire" ? "session,topic" : "room")).split(
    ",",
  ) as RunSpec["mode"][],
  rate: int("rate", values.rate, 1, 1_000_000),
  count: int("count", values.count, 1, 1_000_000),
  warmup: int("warmup", values.warmup, 0, 1_000_000),
  flood: int("flood", values.flood, 10, 10_000_000),
  window: int("window", values.window, 1, 1_000_000),
  pids: values.pids.split(",").map((p) => int("pids", p, 0, 2 ** 31)),
  clockTicks: int("clock-ticks", values["clock-ticks"], 1, 1_000_000),
};
for (const mode of options.modes) {
  const allowed = client === "webwire" ? ["session", "topic"] : ["room"];
  if (!allowed.includes(mode)) throw new Error(`mode ${mode} is not one of ${allowed}`);
}

const now = (): number => performance.timeOrigin + performance.now();

/** The arrivals of the phase in progress. */
class Phase {
  readonly latency: Float64Array;
  readonly sentAt: Float64Array;
  received = 0;
  lastAt = 0;
  /** When a tenth had arrived (the throughput is measured from there). */
  markAt = 0;
  readonly mark: number;
  #done: () => void = () => {};
  readonly done: Promise<void>;

  constructor(
    readonly first: number,
    readonly count: number,
    readonly report: ((received: number) => void) | null,
    readonly reportEvery: number,
  ) {
    this.latency = new Float64Array(count).fill(Number.NaN);
    this.sentAt = new Float64Array(count).fill(Number.NaN);
    this.mark = Math.ceil(count / 10);
    this.done = new Promise((resolve) => (this.#done = resolve));
  }

  arrived(index: number, payload: Uint8Array): void {
    const at = now();
    const read = readPayload(payload);
    if (read === undefined) return fail(`connection ${index} got a malformed payload`);
    const i = read.sequence - this.first;
    if (i < 0 || i >= this.count) return fail(`signal ${read.sequence} is not of this phase`);
    if (i % options.connections !== index) {
      return fail(`signal ${i} meant for connection ${i % options.connections} reached ${index}`);
    }
    if (!Number.isNaN(this.latency[i])) return fail(`signal ${i} arrived twice`);
    this.latency[i] = at - read.sentAt;
    this.sentAt[i] = read.sentAt;
    this.received++;
    this.lastAt = at;
    if (this.received === this.mark) this.markAt = at;
    if (this.report !== null && this.received % this.reportEvery === 0) {
      this.report(this.received);
    }
    if (this.received === this.count) this.#done();
  }

  /** Resolves when every signal arrived, or `quietMs` after the last arrival (or `since`). */
  async settled(since: number, quietMs: number): Promise<void> {
    let complete = false;
    void this.done.then(() => (complete = true));
    while (!complete && now() - Math.max(this.lastAt, since) < quietMs) {
      await Promise.race([this.done, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
  }
}

let current: Phase | null = null;
const arrived = (index: number, payload: Uint8Array): void => {
  if (current === null) return fail(`a signal on connection ${index} outside any phase`);
  current.arrived(index, payload);
};

/** Node A's side: asks it to send, and hears how much arrived. */
interface Control {
  run(spec: RunSpec): Promise<RunResult>;
  report(received: number): void;
}

const tickName = new TextEncoder().encode(signalName);

async function webwireSetup(): Promise<{ targets: Map<string, string[]>; control: Control }> {
  const keys: string[] = [];
  const topics: string[] = [];
  const open = async (index: number) => {
    const connection = await RawWebWire.connect(options.receive);
    connection.onClose = (code) => fail(`node B closed connection ${index} (${code})`);
    connection.onSignal = (name, payload) => {
      if (name.length !== tickName.length || name.some((b, i) => b !== tickName[i])) {
        return fail(`a signal with an unexpected name on connection ${index}`);
      }
      arrived(index, payload);
    };
    keys[index] = await connection.call("login", "");
    topics[index] = `t${index}`;
    if (options.modes.includes("topic")) await connection.call("join", topics[index]);
  };
  await inBatches(options.connections, open);
  const control = await RawWebWire.connect(options.control);
  control.onClose = (code) => fail(`node A closed the control connection (${code})`);
  return {
    targets: new Map([["session", keys], ["topic", topics]]),
    control: {
      run: async (spec) => JSON.parse(await control.call("run", JSON.stringify(spec))),
      report: (received) => control.signal("progress", String(received)),
    },
  };
}

function socketIoConnect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function socketIoSetup(): Promise<{ targets: Map<string, string[]>; control: Control }> {
  const rooms: string[] = [];
  const open = async (index: number) => {
    const socket = await socketIoConnect(options.receive);
    socket.on(signalName, (data: unknown) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      if (!(bytes instanceof Uint8Array)) return fail("a signal that is not binary");
      arrived(index, bytes);
    });
    socket.on("disconnect", (reason) => fail(`socket ${index} closed (${reason})`));
    rooms[index] = `r${index}`;
    await socket.emitWithAck("join", rooms[index]);
  };
  await inBatches(options.connections, open);
  const control = await socketIoConnect(options.control);
  control.on("disconnect", (reason) => fail(`the control socket closed (${reason})`));
  return {
    targets: new Map([["room", rooms]]),
    control: {
      run: (spec) => control.emitWithAck("run", spec),
      report: (received) => control.emit("progress", received),
    },
  };
}

async function inBatches(n: number, open: (index: number) => Promise<void>): Promise<void> {
  for (let from = 0; from < n; from += 50) {
    const batch = [];
    for (let i = from; i < Math.min(n, from + 50); i++) batch.push(open(i));
    await Promise.all(batch);
  }
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}

let nextSequence = 0;

async function runPhase(
  control: Control,
  mode: RunSpec["mode"],
  targets: string[],
  kind: "latency" | "throughput",
): Promise<PhaseResult> {
  const latencyPhase = kind === "latency";
  const count = latencyPhase ? options.warmup + options.count : options.flood;
  const spec: RunSpec = {
    mode,
    targets,
    first: nextSequence,
    count,
    rate: latencyPhase ? options.rate : 0,
    window: latencyPhase ? 0 : options.window,
  };
  nextSequence += count;
  const phase = new Phase(
    spec.first,
    count,
    latencyPhase ? null : control.report,
    Math.max(1, Math.floor(options.window / 10)),
  );
  current = phase;
  const ticks = () => options.pids.map((pid) => cpuTicks(pid));
  const ticksBefore = ticks();
  const cpuBefore = process.cpuUsage();
  const run = await control.run(spec);
  await phase.settled(now(), 3000);
  const ticksAfter = ticks();
  const cpu = process.cpuUsage(cpuBefore);
  current = null;

  const skip = latencyPhase ? options.warmup : 0;
  const measured = count - skip;
  const latencies = phase.latency.subarray(skip).filter((x) => !Number.isNaN(x)).sort();
  const sent = phase.sentAt.subarray(skip).filter((x) => !Number.isNaN(x)).sort();
  const received = latencies.length;
  const perSignal = (i: number): number | null => {
    const before = ticksBefore[i];
    const after = ticksAfter[i];
    if (before === undefined || after === undefined) return null;
    return (after - before) / options.clockTicks * 1e6 / Math.max(1, phase.received);
  };
  return {
    phase: kind,
    rate: spec.rate,
    sent: run.sent,
    measured,
    lost: measured - received,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    max: latencies[received - 1],
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, received),
    sendRate: (sent.length - 1) / ((sent[sent.length - 1] - sent[0]) / 1000),
    throughput: (phase.received - phase.mark) / ((phase.lastAt - phase.markAt) / 1000),
    cpuUs: {
      a: perSignal(0),
      b: perSignal(1),
      redis: perSignal(2),
      generator: (cpu.user + cpu.system) / Math.max(1, phase.received),
    },
    run,
  };
}

const ms = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  deadline(10 * 60 * 1000, "the cluster run");
  const setupStarted = performance.now();
  const { targets, control } = client === "webwire" ? await webwireSetup() : await socketIoSetup();
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  // Lets the nodes settle after the connection storm before anything is measured.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const modes: ClusterResult["modes"] = [];
  for (const mode of options.modes) {
    const latency = await runPhase(control, mode, targets.get(mode)!, "latency");
    console.error(
      `    ${mode}: ${latency.rate}/s p50 ${ms(latency.p50)} ms, p99 ${ms(latency.p99)} ms, ` +
        `max ${ms(latency.max)} ms, lost ${latency.lost}`,
    );
    const throughput = await runPhase(control, mode, targets.get(mode)!, "throughput");
    console.error(
      `    ${mode}: ${Math.round(throughput.throughput)} signals/s (sent at ` +
        `${Math.round(throughput.sendRate)}/s), p50 ${ms(throughput.p50)} ms, lost ` +
        `${throughput.lost}; CPU µs/signal A ${throughput.cpuUs.a?.toFixed(1)}, B ` +
        `${throughput.cpuUs.b?.toFixed(1)}, Redis ${throughput.cpuUs.redis?.toFixed(1)}, ` +
        `generator ${throughput.cpuUs.generator.toFixed(1)}`,
    );
    modes.push({ mode, latency, throughput });
  }
  const result: ClusterResult = {
    client,
    connections: options.connections,
    setupSeconds,
    modes,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((error) =>
  fail(error instanceof Error ? error.stack ?? error.message : String(error))
);
