/**
 * The emitting side of the cluster benchmark, shared by our node and the socket.io node: node A
 * gets a {@link RunSpec} from the load generator and sends `count` stamped signals to the
 * targets held on node B, either paced at `rate` per second (the latency phase) or as fast as a
 * window of unconfirmed signals allows (the throughput phase: the generator reports how many
 * it has received, so that queues between the nodes stay bounded and nothing is dropped for
 * lack of memory). Runtime-neutral: timers (`node:timers` for `setImmediate`) and `performance`.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** What node A is asked to send. */
export interface RunSpec {
  /** `session` (`server.signalSession`), `topic` (`server.publish`) or `room` (socket.io). */
  mode: "session" | "topic" | "room";
  /** Session keys, topics or rooms; signal `i` goes to `targets[i % targets.length]`. */
  targets: string[];
  /** The sequence number of the first signal (each signal carries its own). */
  first: number;
  /** How many signals to send. */
  count: number;
  /** Signals per second; 0 sends as fast as the window allows. */
  rate: number;
  /** At most this many signals sent and not yet reported received; 0 for no bound. */
  window: number;
}

/** What node A answers once it has sent them all. */
export interface RunResult {
  /** Signals sent. */
  sent: number;
  /** Milliseconds from the first to the last send. */
  emitMs: number;
  /** Mean time of one send call (the server's `signalSession` / `io.to().emit`), µs. */
  callUs: number;
  /** Relays to Redis that failed (our server's `clusterErrors`; socket.io reports none). */
  failures: number;
}

/** Sends signal `sequence` to `target`. */
export type Send = (sequence: number, target: string) => void;

/** How many signals of the current run the load generator has reported received. */
export class Progress {
  #received = 0;
  #waiters: (() => void)[] = [];

  /** The last count reported. */
  get received(): number {
    return this.#received;
  }

  /** A new report from the generator. */
  update(received: number): void {
    if (!(received > this.#received)) return;
    this.#received = received;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Starts a run: nothing received yet. */
  reset(): void {
    this.#received = 0;
  }

  /** Resolves at the next report, or after `ms` without one. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Signals sent in one turn of the event loop before the writes get a chance to go out. */
const chunk = 64;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Checks a spec that came over the wire. */
export function parseRunSpec(text: string): RunSpec {
  const spec = JSON.parse(text) as RunSpec;
  const ok = ["session", "topic", "room"].includes(spec.mode) &&
    Array.isArray(spec.targets) && spec.targets.length > 0 &&
    spec.targets.every((t) => typeof t === "string") &&
    [spec.first, spec.count, spec.rate, spec.window].every((n) => Number.isInteger(n) && n >= 0);
  if (!ok) throw new Error(`not a run spec: ${text.slice(0, 200)}`);
  return spec;
}

/** Sends the signals of `spec` through `send`, paced as it says; resolves when all are sent. */
export async function runEmission(
  spec: RunSpec,
  send: Send,
  progress: Progress,
  failures: () => number,
): Promise<RunResult> {
  progress.reset();
  const failuresBefore = failures();
  const started = performance.now();
  let sent = 0;
  let callMs = 0;
  while (sent < spec.count) {
    let allowed = Math.min(chunk, spec.count - sent);
    if (spec.rate > 0) {
      const due = Math.floor((performance.now() - started) * spec.rate / 1000) + 1;
      if (due <= sent) {
        await sleep(Math.max(0, sent * 1000 / spec.rate - (performance.now() - started)));
        continue;
      }
      allowed = Math.min(allowed, due - sent);
    }
    if (spec.window > 0) {
      const open = progress.received + spec.window - sent;
      if (open <= 0) {
        await progress.next(1000);
        continue;
      }
      allowed = Math.min(allowed, open);
    }
    const before = performance.now();
    for (let i = 0; i < allowed; i++, sent++) {
      send(spec.first + sent, spec.targets[sent % spec.targets.length]);
    }
    callMs += performance.now() - before;
    // After the poll phase (not a 1 ms timer, which would cap the rate): the Redis client's
    // writes go out and the generator's progress reports come in.
    if (spec.rate === 0) await nextTurn();
  }
  return {
    sent,
    emitMs: performance.now() - started,
    callUs: callMs * 1000 / Math.max(1, sent),
    failures: failures() - failuresBefore,
  };
}
