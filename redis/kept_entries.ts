/**
 * A signal kept for a session in Redis, as stored: the time it was sent (8 bytes, Unix ms,
 * big-endian), then its bytes. Internal to `RedisCluster`.
 *
 * @example
 * ```ts
 * import { keptEntry, keptSignals } from "./kept_entries.ts";
 * const entry = keptEntry(new Uint8Array([1, 2, 3]));
 * console.assert(keptSignals([entry], 60_000)[0].length === 3);
 * ```
 * @module
 */

import { Buffer } from "node:buffer";

/**
 * The stored form of `signal`, sent at `sentAt` (ms; default now).
 *
 * @example
 * ```ts
 * import { keptEntry } from "./kept_entries.ts";
 * console.assert(keptEntry(new Uint8Array([7]), 1n).length === 9);
 * ```
 */
export function keptEntry(signal: Uint8Array, sentAt: bigint = BigInt(Date.now())): Buffer {
  const entry = Buffer.alloc(8 + signal.length);
  entry.writeBigUInt64BE(sentAt);
  entry.set(signal, 8);
  return entry;
}

/**
 * The signals of stored `entries`, in order, without those sent more than `maxAge` ms ago and
 * those too short to hold one (views of the entries, not copies).
 *
 * @example
 * ```ts
 * import { keptEntry, keptSignals } from "./kept_entries.ts";
 * const stale = keptEntry(new Uint8Array([1]), 0n); // sent in 1970
 * console.assert(keptSignals([stale, keptEntry(new Uint8Array([2]))], 60_000).length === 1);
 * ```
 */
export function keptSignals(entries: readonly Buffer[], maxAge: number): Uint8Array[] {
  const oldest = Date.now() - maxAge;
  const signals: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.length < 9 || Number(entry.readBigUInt64BE(0)) < oldest) continue;
    signals.push(new Uint8Array(entry.buffer, entry.byteOffset + 8, entry.length - 8));
  }
  return signals;
}
