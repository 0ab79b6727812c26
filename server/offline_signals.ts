/**
 * Signals kept for sessions that no connection holds right now, replayed in order to the first
 * connection that restores the session. Bounded per session by count, bytes and age, and in
 * all by bytes; what overflows is dropped oldest first and counted. Internal to the server core.
 *
 * @example
 * ```ts
 * import { OfflineSignals } from "./offline_signals.ts";
 * const kept = new OfflineSignals({});
 * kept.keep("session-key", new Uint8Array([22, 0]));
 * console.assert(kept.take("session-key").length === 1);
 * ```
 * @module
 */

import { timerDelay } from "../client/timer_delay.ts";
import { unrefTimer } from "./unref_timer.ts";

/**
 * Bounds of the signals kept for sessions that are offline (the server's `offlineSignals`
 * option).
 *
 * @example
 * ```ts
 * import type { OfflineSignalLimits } from "@webwire/webwire/server";
 * const limits: OfflineSignalLimits = { maxCount: 64, maxAge: 60_000 };
 * console.assert(limits.maxCount === 64);
 * ```
 */
export interface OfflineSignalLimits {
  /** Signals kept per session; default 256. */
  readonly maxCount?: number;
  /** Bytes of encoded signals kept per session; default 1 MiB. */
  readonly maxBytes?: number;
  /** Milliseconds a signal is kept; default 300 000 (5 minutes). */
  readonly maxAge?: number;
  /** Bytes kept for all sessions together; default 64 MiB. */
  readonly maxTotalBytes?: number;
}

/**
 * The bounds of a server's kept signals under its `maxSendBuffer`: they are sent at once after a
 * restore's reply, and more than `maxSendBuffer` queued closes the connection as a slow reader.
 * So `maxBytes` defaults to 1 MiB or half of `maxSendBuffer`, whichever is smaller, and one
 * given above half of it is a `RangeError`.
 *
 * @example
 * ```ts
 * import { offlineLimitsUnder } from "./offline_signals.ts";
 * console.assert(offlineLimitsUnder({}, 64 * 1024).maxBytes === 32 * 1024);
 * console.assert(offlineLimitsUnder({ maxBytes: 1000 }, 8192).maxBytes === 1000);
 * ```
 *
 * @throws {RangeError} when `limits.maxBytes` is more than half of `maxSendBuffer`.
 */
export function offlineLimitsUnder(
  limits: OfflineSignalLimits,
  maxSendBuffer: number,
): OfflineSignalLimits {
  const half = Math.floor(maxSendBuffer / 2);
  if (limits.maxBytes === undefined) {
    // At least 1 (under a maxSendBuffer of 1, a limit that keeps nothing, as it must).
    return { ...limits, maxBytes: Math.max(1, Math.min(1024 * 1024, half)) };
  }
  if (limits.maxBytes > half) {
    throw new RangeError(
      `offlineSignals.maxBytes must be at most half of maxSendBuffer (${half}), got ` +
        `${limits.maxBytes}: a session's kept signals are sent at once after its restore`,
    );
  }
  return limits;
}

/**
 * Why a kept signal was dropped: its session passed `maxCount` or `maxBytes`, it grew older
 * than `maxAge`, all sessions together passed `maxTotalBytes`, or the server shut down (no
 * restore can take it any more: kept until then, or given to `signalSession` after that).
 *
 * @example
 * ```ts
 * import type { OfflineDropReason } from "@webwire/webwire/server";
 * const reason: OfflineDropReason = "age";
 * console.assert(reason === "age");
 * ```
 */
export type OfflineDropReason = "count" | "bytes" | "age" | "total-bytes" | "shutdown";

/**
 * What a kept signal counts against `maxTotalBytes` besides its bytes: its array and buffer
 * objects, its entry and two slots of arrays (measured: 250 to 300 bytes a signal on Deno and
 * Bun, in heap and off it).
 */
const signalOverhead = 288;
/** What a session with kept signals counts besides its key: its map entry, queue and array. */
const sessionOverhead = 256;

interface Kept {
  readonly key: string;
  /** Emptied once the signal is taken, discarded or dropped (its entry may wait in `#all`). */
  bytes: Uint8Array;
  readonly at: number;
  gone: boolean;
}

interface Queue {
  items: Kept[];
  head: number;
  /** Bytes of the session's signals (what `maxBytes` bounds). */
  bytes: number;
}

const noBytes = new Uint8Array(0);

/**
 * The store of offline signals of one server.
 *
 * @example
 * ```ts
 * import { OfflineSignals } from "./offline_signals.ts";
 * const drops: string[] = [];
 * const kept = new OfflineSignals({ maxCount: 1 }, (_key, reason) => drops.push(reason));
 * kept.keep("k", new Uint8Array([1]));
 * kept.keep("k", new Uint8Array([2]));
 * console.assert(kept.take("k")[0][0] === 2 && drops[0] === "count" && kept.dropped === 1);
 * ```
 */
export class OfflineSignals {
  readonly #maxCount: number;
  readonly #maxBytes: number;
  readonly #maxAge: number;
  readonly #maxTotalBytes: number;
  readonly #onDrop: (key: string, reason: OfflineDropReason, signal: Uint8Array) => void;
  readonly #now: () => number;
  readonly #queues = new Map<string, Queue>();
  /** Every kept signal in the order it came, oldest first; entries of gone ones wait here. */
  #all: Kept[] = [];
  #allHead = 0;
  #gone = 0;
  /** Bytes counted against `maxTotalBytes`: the signals' and the overheads. */
  #totalBytes = 0;
  #dropped = 0;
  /** Ages the oldest signal out when no call comes to do it. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Set by {@link OfflineSignals.close}: every signal is dropped as it comes. */
  #closed = false;

  /**
   * Creates the store; `onDrop` hears of every dropped signal (with its encoded bytes), `now` is
   * the clock (for tests).
   *
   * @throws {RangeError} for a bound that is not a positive integer.
   */
  constructor(
    limits: OfflineSignalLimits,
    onDrop: (key: string, reason: OfflineDropReason, signal: Uint8Array) => void = () => {},
    now: () => number = Date.now,
  ) {
    this.#maxCount = positive("maxCount", limits.maxCount ?? 256);
    this.#maxBytes = positive("maxBytes", limits.maxBytes ?? 1024 * 1024);
    this.#maxAge = positive("maxAge", limits.maxAge ?? 300_000);
    this.#maxTotalBytes = positive("maxTotalBytes", limits.maxTotalBytes ?? 64 * 1024 * 1024);
    this.#onDrop = onDrop;
    this.#now = now;
  }

  /** How many signals were dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** How many sessions have signals kept. */
  get sessionCount(): number {
    return this.#queues.size;
  }

  /**
   * Bytes counted against `maxTotalBytes`: the signals' bytes, plus 288 per signal and 256 and
   * the key's length per session (what keeping them costs besides the bytes).
   */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Keeps an encoded signal for the session `key`, dropping what the bounds no longer allow. */
  keep(key: string, bytes: Uint8Array): void {
    if (this.#closed) return this.#drop(key, "shutdown", bytes);
    const now = this.#now();
    this.#expire(now);
    if (bytes.length > this.#maxBytes) return this.#drop(key, "bytes", bytes);
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      this.#queues.set(key, queue = { items: [], head: 0, bytes: 0 });
      this.#totalBytes += sessionOverhead + key.length;
    }
    const kept: Kept = { key, bytes, at: now, gone: false };
    queue.items.push(kept);
    this.#all.push(kept);
    queue.bytes += bytes.length;
    this.#totalBytes += bytes.length + signalOverhead;
    this.#bound(key, queue, now);
  }

  /**
   * Keeps again signals {@link OfflineSignals.take} returned for `key` that could not be
   * delivered, ahead of those kept for it since (they are older), in their order; past a bound
   * the oldest go first. Their age counts from now, or from when the oldest of those kept since
   * was kept.
   */
  giveBack(key: string, signals: readonly Uint8Array[]): void {
    if (this.#closed) return signals.forEach((bytes) => this.#drop(key, "shutdown", bytes));
    const now = this.#now();
    this.#expire(now);
    const queue = this.#queues.get(key);
    if (queue === undefined) {
      for (const bytes of signals) this.keep(key, bytes);
      return;
    }
    // Ahead of the oldest kept since, with its time: `#all` and the queue stay oldest first.
    const first = queue.items[queue.head];
    const returned = signals.map((bytes): Kept => ({ key, bytes, at: first.at, gone: false }));
    queue.items = [...returned, ...queue.items.slice(queue.head)];
    queue.head = 0;
    const all = this.#all;
    const at = all.indexOf(first, this.#allHead);
    this.#all = [...all.slice(0, at), ...returned, ...all.slice(at)];
    for (const kept of returned) {
      queue.bytes += kept.bytes.length;
      this.#totalBytes += kept.bytes.length + signalOverhead;
    }
    this.#bound(key, queue, now);
  }

  /** Removes and returns the signals kept for `key`, oldest first, without those too old. */
  take(key: string): Uint8Array[] {
    this.#expire(this.#now());
    const queue = this.#queues.get(key);
    if (queue === undefined) return [];
    const taken = queue.items.slice(queue.head).map((kept) => kept.bytes);
    this.discard(key);
    return taken;
  }

  /** Forgets the signals kept for `key` (its session was closed or expired); not counted. */
  discard(key: string): void {
    const queue = this.#queues.get(key);
    if (queue === undefined) return;
    for (let i = queue.head; i < queue.items.length; i++) this.#forget(queue.items[i]);
    const count = queue.items.length - queue.head;
    this.#totalBytes -= queue.bytes + count * signalOverhead + sessionOverhead + key.length;
    this.#queues.delete(key);
    this.#compact();
  }

  /** Stops aging signals out by timer; what is kept stays. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Drops every kept signal, oldest first, and every signal kept from now on, as `"shutdown"`:
   * the server shut down, and nothing can restore a session here any more.
   */
  close(): void {
    this.stop();
    this.#closed = true;
    for (;;) {
      const oldest = this.#oldest();
      if (oldest === undefined) break;
      this.#shift(oldest.key, this.#queues.get(oldest.key)!, "shutdown");
    }
    this.#compact();
  }

  /** Drops the oldest signals past the bounds, of `key`'s queue and then of all. */
  #bound(key: string, queue: Queue, now: number): void {
    while (queue.items.length - queue.head > this.#maxCount) this.#shift(key, queue, "count");
    while (queue.bytes > this.#maxBytes) this.#shift(key, queue, "bytes");
    while (this.#totalBytes > this.#maxTotalBytes) {
      const oldest = this.#oldest()!;
      this.#shift(oldest.key, this.#queues.get(oldest.key)!, "total-bytes");
    }
    this.#compact();
    this.#schedule(now);
  }

  /** The oldest signal still kept, past the entries of gone ones. */
  #oldest(): Kept | undefined {
    const all = this.#all;
    while (this.#allHead < all.length && all[this.#allHead].gone) {
      this.#allHead++;
      this.#gone--;
    }
    return all[this.#allHead];
  }

  /** Drops every signal older than `maxAge`, oldest first, whichever session it is for. */
  #expire(now: number): void {
    for (;;) {
      const oldest = this.#oldest();
      if (oldest === undefined || now - oldest.at <= this.#maxAge) break;
      this.#shift(oldest.key, this.#queues.get(oldest.key)!, "age");
    }
    this.#compact();
  }

  /** Arms the timer for when the oldest signal grows too old, unless it is armed. */
  #schedule(now: number): void {
    if (this.#timer !== undefined) return;
    const oldest = this.#oldest();
    if (oldest === undefined) return;
    const delay = Math.max(0, oldest.at + this.#maxAge + 1 - now);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const at = this.#now();
      this.#expire(at);
      this.#schedule(at);
    }, timerDelay(delay));
    unrefTimer(this.#timer);
  }

  /** Drops the oldest signal of `key`'s queue. */
  #shift(key: string, queue: Queue, reason: OfflineDropReason): void {
    const kept = queue.items[queue.head++];
    const bytes = kept.bytes;
    queue.bytes -= kept.bytes.length;
    this.#totalBytes -= kept.bytes.length + signalOverhead;
    this.#forget(kept);
    if (queue.head === queue.items.length) {
      this.#queues.delete(key);
      this.#totalBytes -= sessionOverhead + key.length;
    } else if (queue.head > 64 && queue.head * 2 > queue.items.length) {
      queue.items = queue.items.slice(queue.head);
      queue.head = 0;
    }
    this.#drop(key, reason, bytes);
  }

  #forget(kept: Kept): void {
    kept.gone = true;
    kept.bytes = noBytes;
    this.#gone++;
  }

  /**
   * Drops the entries of `#all` that no longer count once they are most of it: those before its
   * head (aged out, or gone when they reached it) and those of gone signals after it.
   */
  #compact(): void {
    const all = this.#all;
    const head = this.#allHead;
    if (head === all.length) {
      this.#all = [];
      this.#allHead = 0;
      this.#gone = 0;
      return;
    }
    const dead = head + this.#gone;
    if (dead < 1024 || dead * 2 < all.length) return;
    this.#all = this.#gone === 0 ? all.slice(head) : all.slice(head).filter((kept) => !kept.gone);
    this.#allHead = 0;
    this.#gone = 0;
  }

  #drop(key: string, reason: OfflineDropReason, bytes: Uint8Array): void {
    this.#dropped++;
    this.#onDrop(key, reason, bytes);
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`offlineSignals.${name} must be a positive integer, got ${value}`);
  }
  return value;
}
