/**
 * What the end-to-end load generators share: their command line, the measuring window, a
 * latency histogram, the server's CPU time from `/proc/<pid>/stat` and the result line they
 * print. Runs on Bun (the generators' runtime) and type-checks under Deno.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";

/** What to measure, from the command line. */
export interface LoadOptions {
  /** Server URL, `ws://127.0.0.1:<port>/`. */
  url: string;
  /** `request` (request/reply round trips) or `signal` (one-way signals, acknowledged in batches). */
  mode: "request" | "signal";
  /** Connections opened at once. */
  connections: number;
  /** Requests in flight per connection; in signal mode, batches in flight per connection. */
  inflight: number;
  /** Payload bytes of each request or signal. */
  payload: number;
  /** Signals per batch (signal mode): each batch ends with a request whose reply acks it. */
  batch: number;
  /** Seconds of warm-up (replies verified, not counted). */
  warmup: number;
  /** Seconds of the measured window. */
  seconds: number;
  /** Server process whose CPU time is read, or 0 for none. */
  pid: number;
  /** Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`). */
  clockTicks: number;
}

/** Parses the generator's arguments; throws on anything unknown or out of range. */
export function parseLoadOptions(args: string[]): LoadOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: "string" },
      mode: { type: "string", default: "request" },
      connections: { type: "string", default: "1" },
      inflight: { type: "string", default: "1" },
      payload: { type: "string", default: "16" },
      batch: { type: "string", default: "64" },
      warmup: { type: "string", default: "0.5" },
      seconds: { type: "string", default: "2" },
      pid: { type: "string", default: "0" },
      "clock-ticks": { type: "string", default: "100" },
    },
  });
  const url = values.url;
  if (url === undefined) throw new Error("--url ws://host:port/ is required");
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
    throw new Error(`the load generator only targets loopback, not ${host}`);
  }
  const mode = values.mode;
  if (mode !== "request" && mode !== "signal") throw new Error(`unknown --mode ${mode}`);
  const int = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    }
    return n;
  };
  const seconds = (name: string, text: string): number => {
    const n = Number(text);
    if (!(n >= 0 && n <= 60)) throw new Error(`--${name} must be 0 to 60 seconds, got ${text}`);
    return n;
  };
  return {
    url,
    mode,
    connections: int("connections", values.connections, 1, 1024),
    inflight: int("inflight", values.inflight, 1, 4096),
    payload: int("payload", values.payload, 0, 65536),
    batch: int("batch", values.batch, 1, 4096),
    warmup: seconds("warmup", values.warmup),
    seconds: seconds("seconds", values.seconds),
    pid: int("pid", values.pid, 0, 2 ** 31),
    clockTicks: int("clock-ticks", values["clock-ticks"], 1, 1_000_000),
  };
}

/**
 * User plus system CPU time of a process in clock ticks (fields 14 and 15 of
 * `/proc/<pid>/stat`, summed over its threads), or `undefined` without that file.
 */
export function cpuTicks(pid: number): number | undefined {
  if (pid === 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Microsecond latencies: 1 µs buckets below 10 ms, 100 µs buckets up to about 1 s. */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(20_001);
  #total = 0;

  /** Adds one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    const index = us < 10_000 ? Math.floor(us) : Math.min(20_000, 9_900 + Math.floor(us / 100));
    this.#counts[index]++;
    this.#total++;
  }

  /** The latency in microseconds below which `fraction` of the samples fall. */
  quantile(fraction: number): number {
    if (this.#total === 0) return Number.NaN;
    const rank = Math.ceil(this.#total * fraction);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return i < 10_000 ? i + 0.5 : (i - 9_900) * 100 + 50;
    }
    return Number.NaN;
  }
}

/** The phases of one run: warm-up (verify, don't count), measure, drain (no new sends). */
export type Phase = "warmup" | "measure" | "drain";

/** What a generator prints as its one line of JSON on stdout. */
export interface LoadResult {
  /** Replies (request mode) or acknowledged signals (signal mode) in the window. */
  count: number;
  /** Length of the window in seconds. */
  seconds: number;
  /** `count / seconds`. */
  rate: number;
  /** Median latency in µs (request mode; in signal mode the batch round trip). */
  p50: number;
  /** 99th percentile latency in µs. */
  p99: number;
  /** Server CPU ticks (user + system) during the window, if its pid was given. */
  serverTicks: number | null;
  /** Server CPU µs per reply or signal. */
  serverUsPerItem: number | null;
  /** Server CPU use in the window, as a share of one core. */
  serverCpuShare: number | null;
  /** The generator's own CPU use in the window, as a share of one core. */
  generatorCpuShare: number;
  /** Replies whose content was compared with the request during warm-up. */
  verified: number;
}

/**
 * Runs the phases on a clock: calls `onMeasureStart` when the window opens and `onDrain` when
 * it closes, and measures the window's server and generator CPU time.
 */
export class Window {
  phase: Phase = "warmup";
  readonly histogram: LatencyHistogram = new LatencyHistogram();
  count = 0;
  verified = 0;
  #startedAt = 0;
  #endedAt = 0;
  #ticksBefore: number | undefined;
  #ticksAfter: number | undefined;
  #cpuBefore: { user: number; system: number } = { user: 0, system: 0 };
  #cpuShare = 0;
  readonly #options: LoadOptions;

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  /**
   * Counts one reply received in the measured window (a batch of signals in signal mode) and
   * records its round trip.
   */
  measured(latencyMs: number): void {
    this.count += this.#options.mode === "signal" ? this.#options.batch : 1;
    this.histogram.record(latencyMs);
  }

  /** Starts the warm-up; resolves when the window has closed. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      setTimeout(() => {
        this.#ticksBefore = cpuTicks(this.#options.pid);
        this.#cpuBefore = process.cpuUsage();
        this.#startedAt = performance.now();
        this.phase = "measure";
        setTimeout(() => {
          this.#endedAt = performance.now();
          this.phase = "drain";
          this.#ticksAfter = cpuTicks(this.#options.pid);
          const cpu = process.cpuUsage(this.#cpuBefore);
          this.#cpuShare = (cpu.user + cpu.system) / 1000 / (this.#endedAt - this.#startedAt);
          resolve();
        }, this.#options.seconds * 1000);
      }, this.#options.warmup * 1000);
    });
  }

  /** The result line, once the window has closed. */
  result(): LoadResult {
    const seconds = (this.#endedAt - this.#startedAt) / 1000;
    const ticks = this.#ticksBefore === undefined || this.#ticksAfter === undefined
      ? null
      : this.#ticksAfter - this.#ticksBefore;
    const serverSeconds = ticks === null ? null : ticks / this.#options.clockTicks;
    return {
      count: this.count,
      seconds,
      rate: this.count / seconds,
      p50: this.histogram.quantile(0.5),
      p99: this.histogram.quantile(0.99),
      serverTicks: ticks,
      serverUsPerItem: serverSeconds === null || this.count === 0
        ? null
        : serverSeconds * 1e6 / this.count,
      serverCpuShare: serverSeconds === null ? null : serverSeconds / seconds,
      generatorCpuShare: this.#cpuShare,
      verified: this.verified,
    };
  }
}

/** Prints the message and ends the process with a failure: a broken bench must be loud. */
export function fail(message: string): never {
  console.error(`load generator: ${message}`);
  process.exit(1);
}

/** Fails the process if it is still running after `ms` (every run is bounded in time). */
export function deadline(ms: number, what: string): void {
  const timer = setTimeout(() => fail(`${what} did not finish within ${ms} ms`), ms);
  (timer as { unref?: () => void }).unref?.();
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One connection of a generator, as {@link runLoad} drives it. */
export interface LoadConnection {
  /** Connects; resolves once the connection can carry requests. */
  open(): Promise<void>;
  /** Fills every in-flight slot; each answer sends the next until the window closes. */
  start(): void;
  /** Resolves when nothing is outstanding (called after the window closed). */
  idle(): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** How a generator names what answers it, for its failure messages. */
export interface AnswerWords {
  /** `reply`, `acknowledgement`. */
  one: string;
  /** `replies`, `acknowledgements`. */
  many: string;
}

/**
 * The generator's whole run: parses the command line, opens the connections `connect` makes
 * (each gets the shared window and payload), runs warm-up and window, waits for the answers
 * still in flight, prints the result line and exits. Any error, and a run in which nothing was
 * verified or measured, fails the process loudly.
 */
export function runLoad(
  connect: (options: LoadOptions, window: Window, payload: Uint8Array) => LoadConnection,
  words: AnswerWords,
): void {
  load(connect, words).catch((error) =>
    fail(error instanceof Error ? error.stack ?? error.message : String(error))
  );
}

async function load(
  connect: (options: LoadOptions, window: Window, payload: Uint8Array) => LoadConnection,
  words: AnswerWords,
): Promise<void> {
  const options = parseLoadOptions(process.argv.slice(2));
  deadline((options.warmup + options.seconds) * 1000 + 30_000, "the load run");
  const payload = new Uint8Array(options.payload);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
  const window = new Window(options);
  const connections: LoadConnection[] = [];
  for (let i = 0; i < options.connections; i++) connections.push(connect(options, window, payload));
  await Promise.all(connections.map((c) => c.open())).catch((error) => fail(String(error)));
  for (const c of connections) c.start();
  await window.run();
  const drained = Promise.all(connections.map((c) => c.idle()));
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${words.many} still missing 10 s after the window`)), 10_000)
  );
  await Promise.race([drained, timeout]).catch((error) => fail(String(error)));
  for (const c of connections) c.close();
  const result = window.result();
  if (result.verified === 0) fail(`no ${words.one} arrived during warm-up, so none was verified`);
  if (result.count === 0) fail(`no ${words.one} arrived during the measured window`);
  console.log(JSON.stringify(result));
  process.exit(0);
}
