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
 * Why a kept signal was dropped: its session passed `maxCount` or `maxBytes`, it grew older
 * than `maxAge`, or all sessions together passed `maxTotalBytes`.
 *
 * @example
 * ```ts
 * import type { OfflineDropReason } from "@webwire/webwire/server";
 * const reason: OfflineDropReason = "age";
 * console.assert(reason === "age");
 * ```
 */
export type OfflineDropReason = "count" | "bytes" | "age" | "total-bytes";

interface Kept {
  readonly bytes: Uint8Array;
  readonly at: number;
}

interface Queue {
  items: Kept[];
  head: number;
  bytes: number;
}

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
  readonly #onDrop: (key: string, reason: OfflineDropReason) => void;
  readonly #now: () => number;
  /** In order of each session's first kept signal: the first is the oldest. */
  readonly #queues = new Map<string, Queue>();
  #totalBytes = 0;
  #dropped = 0;

  /**
   * Creates the store; `onDrop` hears of every dropped signal, `now` is the clock (for tests).
   *
   * @throws {RangeError} for a bound that is not a positive integer.
   */
  constructor(
    limits: OfflineSignalLimits,
    onDrop: (key: string, reason: OfflineDropReason) => void = () => {},
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

  /** Bytes kept for all sessions. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Keeps an encoded signal for the session `key`, dropping what the bounds no longer allow. */
  keep(key: string, bytes: Uint8Array): void {
    const now = this.#now();
    this.#expireOldestQueue(now);
    if (bytes.length > this.#maxBytes) return this.#drop(key, "bytes");
    let queue = this.#queues.get(key);
    if (queue === undefined) this.#queues.set(key, queue = { items: [], head: 0, bytes: 0 });
    queue.items.push({ bytes, at: now });
    queue.bytes += bytes.length;
    this.#totalBytes += bytes.length;
    this.#expire(key, queue, now);
    while (queue.items.length - queue.head > this.#maxCount) this.#shift(key, queue, "count");
    while (queue.bytes > this.#maxBytes) this.#shift(key, queue, "bytes");
    while (this.#totalBytes > this.#maxTotalBytes) {
      const [oldestKey, oldest] = this.#queues.entries().next().value!;
      this.#shift(oldestKey, oldest, "total-bytes");
    }
  }

  /** Removes and returns the signals kept for `key`, oldest first, without those too old. */
  take(key: string): Uint8Array[] {
    const queue = this.#queues.get(key);
    if (queue === undefined) return [];
    this.#expire(key, queue, this.#now());
    const taken = queue.items.slice(queue.head).map((kept) => kept.bytes);
    this.discard(key);
    return taken;
  }

  /** Forgets the signals kept for `key` (its session was closed or expired); not counted. */
  discard(key: string): void {
    const queue = this.#queues.get(key);
    if (queue === undefined) return;
    this.#totalBytes -= queue.bytes;
    this.#queues.delete(key);
  }

  /** Drops the expired signals of the session whose queue is oldest: bounded work per call. */
  #expireOldestQueue(now: number): void {
    const first = this.#queues.entries().next();
    if (first.done) return;
    const [key, queue] = first.value;
    this.#expire(key, queue, now);
    // A queue emptied by age goes; the next oldest is looked at on the next call.
    if (this.#queues.get(key) === queue && queue.head === queue.items.length) {
      this.#queues.delete(key);
    }
  }

  #expire(key: string, queue: Queue, now: number): void {
    while (queue.head < queue.items.length && now - queue.items[queue.head].at > this.#maxAge) {
      this.#shift(key, queue, "age");
    }
  }

  #shift(key: string, queue: Queue, reason: OfflineDropReason): void {
    const kept = queue.items[queue.head++];
    queue.bytes -= kept.bytes.length;
    this.#totalBytes -= kept.bytes.length;
    if (queue.head === queue.items.length) {
      this.#queues.delete(key);
    } else if (queue.head > 64 && queue.head * 2 > queue.items.length) {
      queue.items = queue.items.slice(queue.head);
      queue.head = 0;
    }
    this.#drop(key, reason);
  }

  #drop(key: string, reason: OfflineDropReason): void {
    this.#dropped++;
    this.#onDrop(key, reason);
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`offlineSignals.${name} must be a positive integer, got ${value}`);
  }
  return value;
}
