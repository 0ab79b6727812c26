/**
 * The sessions that one process holds in Redis, whose lease its sweeps renew: a session held
 * by a process that died (kill -9, a crash) expires when its lease runs out, though nobody
 * released it.
 *
 * @example
 * ```ts
 * import { heldLease } from "./held_sessions.ts";
 * console.assert(heldLease(30 * 60_000) === 32 * 60_000); // plus two sweeps of a minute
 * console.assert(heldLease(1000) === 11_000); // plus 10 s at least
 * ```
 * @module
 */

import type { Timestamp } from "../protocol/timestamp.ts";

/** How many held sessions one call of a sweep renews. */
const renewBatch = 256;

/**
 * The lease of a held session with this idle timeout in ms: how long it outlives the last sweep
 * of a process that held it and died. The idle timeout plus two of the server's sweep intervals
 * (the server sweeps every half the shortest expiry setting, from once a second to once a
 * minute: at most every half idle timeout), and at least 10 s: a live holder renews it at each
 * sweep, so it runs out only when sweeps fail or stop for the lease less one interval: more than
 * the idle timeout plus `max(10 s − one interval, one interval)` (10 s more for a 1 s idle
 * timeout, 15 s for 10 s, 90 s for 60 s).
 *
 * @example
 * ```ts
 * import { heldLease } from "./held_sessions.ts";
 * console.assert(heldLease(60_000) === 120_000); // sweeps every 30 s: plus 60 s
 * ```
 */
export function heldLease(idleTimeout: number): number {
  const sweepInterval = Math.min(60_000, Math.max(1000, idleTimeout / 2));
  return idleTimeout + Math.max(10_000, 2 * sweepInterval);
}

/**
 * The Redis keys of the sessions this process holds, each with the hold that last added it (and
 * the creation time of the session it held, where known): a renewal forgets a key that Redis
 * says is no longer held (released, here or by another process, closed, expired) only if no
 * lookup held it again since the renewal read it.
 *
 * @example
 * ```ts
 * import { HeldSessions } from "./held_sessions.ts";
 * const held = new HeldSessions();
 * held.hold("webwire:session:a");
 * held.hold("webwire:session:b");
 * held.release("webwire:session:a");
 * const renewed: string[][] = [];
 * // Redis says "b" is no longer held (another process released it): it is forgotten.
 * await held.renew((keys) => (renewed.push([...keys]), Promise.resolve([0])));
 * await held.renew((keys) => (renewed.push([...keys]), Promise.resolve([])));
 * console.assert(renewed.length === 1 && renewed[0][0] === "webwire:session:b");
 * ```
 */
export class HeldSessions {
  readonly #held = new Map<string, { readonly creation: Timestamp | undefined }>();

  /** How many sessions are held. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * This process holds the session (created or looked up, created at `creation`): its lease is
   * to be renewed.
   */
  hold(redisKey: string, creation?: Timestamp): void {
    this.#held.set(redisKey, { creation });
  }

  /** This process no longer holds the session (released or closed). */
  release(redisKey: string): void {
    this.#held.delete(redisKey);
  }

  /**
   * This process no longer holds the session created at `creation`: its hold goes, a hold of
   * another session of the key stays.
   *
   * @example
   * ```ts
   * import { HeldSessions } from "./held_sessions.ts";
   * import { Timestamp } from "../protocol/timestamp.ts";
   * const held = new HeldSessions();
   * held.hold("webwire:session:a", new Timestamp(1));
   * held.releaseSession("webwire:session:a", new Timestamp(2)); // another session's: stays
   * console.assert(held.size === 1);
   * held.releaseSession("webwire:session:a", new Timestamp(1));
   * console.assert(held.size === 0);
   * ```
   */
  releaseSession(redisKey: string, creation: Timestamp): void {
    const held = this.#held.get(redisKey)?.creation;
    if (held?.isSameInstant(creation)) this.#held.delete(redisKey);
  }

  /** Forgets every session (the manager closed). */
  clear(): void {
    this.#held.clear();
  }

  /**
   * Renews every held session's lease with `renew`, called with up to 256 keys at a time, one
   * after the other, and resolving to 1 for each key renewed (still held in Redis), else 0;
   * forgets the others. Rejects with the first failure of `renew` (the rest wait for the next
   * sweep).
   */
  async renew(renew: (keys: readonly string[]) => Promise<unknown>): Promise<void> {
    const held = [...this.#held];
    for (let start = 0; start < held.length; start += renewBatch) {
      const batch = held.slice(start, start + renewBatch);
      const renewed = await renew(batch.map(([redisKey]) => redisKey));
      batch.forEach(([redisKey, hold], i) => {
        const still = Array.isArray(renewed) && renewed[i] === 1;
        if (!still && this.#held.get(redisKey) === hold) this.#held.delete(redisKey);
      });
    }
  }
}
