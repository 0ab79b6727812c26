/**
 * The broadcast load generator: one process opens N connections to a broadcast benchmark server
 * (raw WebSockets speaking WebWire, or socket.io-client with the WebSocket transport), then
 * triggers broadcasts one at a time from its first connection and records when each connection
 * got each one. The next broadcast starts only once every connection has the previous one and
 * the trigger was answered, so broadcasts never overlap. Prints one JSON line
 * (`BroadcastResult`).
 *
 * Arrival times are measured from the server's call: the server stamps its clock
 * (`performance.timeOrigin + performance.now()`) into the payload right before it broadcasts,
 * and this process subtracts it from its own clock on arrival. Both run on the same machine,
 * so they read the same system clock; `callAfterTrigger` (server stamp minus this process's
 * send time of the trigger) checks that, as it must come out small and positive.
 *
 * Usage (Bun): `bun bench/broadcast/load_broadcast.ts --client webwire --url
 * ws://127.0.0.1:8080/ --connections 1000 --broadcasts 50 [--warmup 3] [--pid <server pid>]`
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { cpuTicks, deadline, fail } from "../e2e/load_common.ts";
import { BroadcastArrivals } from "./broadcast_arrivals.ts";
import { openAll, type Receiver, SocketIoReceiver, WebWireReceiver } from "./receivers.ts";

/** What the generator prints. Times in ms, CPU in µs. */
export interface BroadcastResult {
  /** `webwire` or `socketio`. */
  client: string;
  connections: number;
  /** Measured broadcasts (after the warm-up ones). */
  broadcasts: number;
  /** Signals received in the measured broadcasts: `connections × broadcasts`. */
  deliveries: number;
  /** Every arrival of every measured broadcast, ms after the server's call: median. */
  arrivalP50: number;
  /** The same, 99th percentile. */
  arrivalP99: number;
  /** Per broadcast, when the last connection got it (ms after the call): median. */
  lastP50: number;
  /** The same, 99th percentile (with 20 to 100 broadcasts, close to the maximum). */
  lastP99: number;
  /** The same, maximum. */
  lastMax: number;
  /** Per measured broadcast in order, when the last connection got it (ms after the call). */
  lastArrivals: number[];
  /** Per broadcast, last arrival ms after this process sent the trigger: median. */
  lastAfterTriggerP50: number;
  /** How long the server's broadcast call took (until it returned), ms: median. */
  callP50: number;
  /** The same, maximum. */
  callMax: number;
  /** Server stamp minus trigger send time, median (the clock check: small and positive). */
  callAfterTrigger: number;
  /** Server CPU ticks (user + system) over the measured broadcasts. */
  serverTicks: number | null;
  /** Server CPU µs per delivered signal. */
  serverUsPerDelivery: number | null;
  /** This process's CPU µs per received signal over the measured broadcasts. */
  generatorUsPerDelivery: number;
  /** Wall-clock seconds of the measured broadcasts (with the gaps between them). */
  seconds: number;
  /** Seconds it took to open every connection. */
  openSeconds: number;
}

interface Options {
  client: "webwire" | "socketio";
  url: string;
  connections: number;
  broadcasts: number;
  warmup: number;
  gapMs: number;
  openAtOnce: number;
  pid: number;
  clockTicks: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      client: { type: "string", default: "webwire" },
      url: { type: "string" },
      connections: { type: "string", default: "1000" },
      broadcasts: { type: "string", default: "50" },
      warmup: { type: "string", default: "3" },
      gap: { type: "string", default: "5" },
      "open-at-once": { type: "string", default: "100" },
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
  const client = values.client;
  if (client !== "webwire" && client !== "socketio") throw new Error(`unknown --client ${client}`);
  const int = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    }
    return n;
  };
  return {
    client,
    url,
    connections: int("connections", values.connections, 1, 19_000),
    broadcasts: int("broadcasts", values.broadcasts, 1, 10_000),
    warmup: int("warmup", values.warmup, 0, 100),
    gapMs: int("gap", values.gap, 0, 10_000),
    openAtOnce: int("open-at-once", values["open-at-once"], 1, 10_000),
    pid: int("pid", values.pid, 0, 2 ** 31),
    clockTicks: int("clock-ticks", values["clock-ticks"], 1, 1_000_000),
  };
}

/** The value below which `fraction` of the sorted values fall (nearest rank). */
function quantile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const total = options.warmup + options.broadcasts;
  deadline(options.connections * 20 + total * 2_000 + 60_000, "the broadcast run");
  const broadcast = new BroadcastArrivals(options.connections);
  const receivers: Receiver[] = [];
  for (let i = 0; i < options.connections; i++) {
    receivers.push(
      options.client === "webwire"
        ? new WebWireReceiver(options.url, i, broadcast)
        : new SocketIoReceiver(options.url, i, broadcast),
    );
  }
  const openStarted = performance.now();
  await openAll(receivers, options.openAtOnce);
  const openSeconds = (performance.now() - openStarted) / 1000;
  // Lets the server settle after the connection storm before anything is measured.
  await sleep(500);

  const all = new Float64Array(options.connections * options.broadcasts);
  const last = new Float64Array(options.broadcasts);
  const lastAfterTrigger = new Float64Array(options.broadcasts);
  const callAfterTrigger = new Float64Array(options.broadcasts);
  const call = new Float64Array(options.broadcasts);
  let ticksBefore: number | undefined;
  let cpuBefore = process.cpuUsage();
  let startedAt = 0;
  for (let sequence = 0; sequence < total; sequence++) {
    const measured = sequence - options.warmup;
    if (measured === 0) {
      ticksBefore = cpuTicks(options.pid);
      cpuBefore = process.cpuUsage();
      startedAt = performance.now();
    }
    const done = broadcast.begin(sequence);
    receivers[0].trigger(sequence);
    await done;
    if (measured >= 0) {
      const arrivals = broadcast.arrivals;
      all.set(arrivals, measured * options.connections);
      let max = 0;
      for (const a of arrivals) if (a > max) max = a;
      last[measured] = max;
      lastAfterTrigger[measured] = broadcast.sentAt + max - broadcast.triggeredAt;
      callAfterTrigger[measured] = broadcast.sentAt - broadcast.triggeredAt;
      call[measured] = broadcast.callMs;
    }
    if (options.gapMs > 0) await sleep(options.gapMs);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const ticksAfter = cpuTicks(options.pid);
  const cpu = process.cpuUsage(cpuBefore);
  for (const r of receivers) r.close();

  const deliveries = options.connections * options.broadcasts;
  const ticks = ticksBefore === undefined || ticksAfter === undefined
    ? null
    : ticksAfter - ticksBefore;
  const lastArrivals = Array.from(last, (ms) => Math.round(ms * 1000) / 1000);
  all.sort();
  last.sort();
  lastAfterTrigger.sort();
  callAfterTrigger.sort();
  call.sort();
  const result: BroadcastResult = {
    client: options.client,
    connections: options.connections,
    broadcasts: options.broadcasts,
    deliveries,
    arrivalP50: quantile(all, 0.5),
    arrivalP99: quantile(all, 0.99),
    lastP50: quantile(last, 0.5),
    lastP99: quantile(last, 0.99),
    lastMax: last[last.length - 1],
    lastArrivals,
    lastAfterTriggerP50: quantile(lastAfterTrigger, 0.5),
    callP50: quantile(call, 0.5),
    callMax: call[call.length - 1],
    callAfterTrigger: quantile(callAfterTrigger, 0.5),
    serverTicks: ticks,
    serverUsPerDelivery: ticks === null ? null : ticks / options.clockTicks * 1e6 / deliveries,
    generatorUsPerDelivery: (cpu.user + cpu.system) / deliveries,
    seconds,
    openSeconds,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((error) =>
  fail(error instanceof Error ? error.stack ?? error.message : String(error))
);
