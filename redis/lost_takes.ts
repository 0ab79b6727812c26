/**
 * Takes of kept signals whose reply was lost. A take moves a session's kept signals to a key
 * of its own (`takeOfflineScript`); when its reply does not come (a hung Redis that runs the
 * take once it wakes, after the node gave up waiting), the signals would be gone for good. The
 * node notes such takes and, at each heartbeat, gives back what they moved: to the session's
 * connections if a node holds it, else kept again ahead of newer ones. Internal to
 * `RedisCluster`.
 *
 * @example
 * ```ts
 * import { LostTakes } from "./lost_takes.ts";
 * const lost = new LostTakes();
 * lost.add("ada", "webwire:taken:n1:1");
 * console.assert(lost.size === 1);
 * ```
 * @module
 */

import type { Buffer } from "node:buffer";
import type { ClusterCommands } from "./cluster_commands.ts";
import { recoverTakeScript } from "./cluster_scripts.ts";
import { keptSignals } from "./kept_entries.ts";

/** Lost takes a node notes at most (older ones are dropped). */
const maxLostTakes = 10_000;
/** Lost takes checked per heartbeat, at most. */
const checksPerBeat = 500;
/**
 * How many times Redis answers that a lost take moved nothing before the node stops asking: a
 * take that never reached Redis, or reached it and found nothing.
 */
const answeredChecks = 3;

interface LostTake {
  /** The session. */
  readonly key: string;
  /** The key the take moved the signals to. */
  readonly takeKey: string;
  /** How many checks found the take's key missing. */
  missing: number;
}

/**
 * The lost takes of one node.
 *
 * @example
 * ```ts
 * import { LostTakes } from "./lost_takes.ts";
 * const lost = new LostTakes();
 * lost.add("ada", "webwire:taken:n1:7");
 * lost.add("ada", "webwire:taken:n1:8");
 * console.assert(lost.size === 2);
 * ```
 */
export class LostTakes {
  readonly #takes = new Map<string, LostTake>();
  /** The pass of {@link LostTakes.recover} under way, if any. */
  #recovering: Promise<void> | undefined;

  /** How many lost takes wait to be checked. */
  get size(): number {
    return this.#takes.size;
  }

  /** A take of session `key`'s signals into `takeKey` got no reply. */
  add(key: string, takeKey: string): void {
    if (this.#takes.size >= maxLostTakes) this.#takes.delete(this.#takes.keys().next().value!);
    this.#takes.set(takeKey, { key, takeKey, missing: 0 });
  }

  /**
   * Checks up to 500 lost takes: what one moved is kept again when no node holds its session,
   * else handed to `deliver` (which sends it to the session's connections and deletes the
   * take's key in the same step; when it fails, the take is tried again at the next call). A
   * take whose key is missing three times is forgotten; one Redis did not answer for stays.
   * A call while a pass is under way (heartbeats that waited for a reconnect all run at once)
   * resolves with that pass: two passes would each find a take's key and deliver it twice.
   */
  recover(
    commands: ClusterCommands,
    bounds: { readonly maxCount: number; readonly maxAge: number },
    deliver: (key: string, signals: Uint8Array[], takeKey: string) => Promise<void>,
  ): Promise<void> {
    this.#recovering ??= this.#recover(commands, bounds, deliver).finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #recover(
    commands: ClusterCommands,
    bounds: { readonly maxCount: number; readonly maxAge: number },
    deliver: (key: string, signals: Uint8Array[], takeKey: string) => Promise<void>,
  ): Promise<void> {
    const takes = [...this.#takes.values()].slice(0, checksPerBeat);
    await Promise.all(takes.map(async (take) => {
      let reply: unknown;
      try {
        reply = await commands.run(
          "lost take",
          recoverTakeScript,
          [
            commands.holdersKey(take.key),
            take.takeKey,
            commands.offlineKey(take.key),
          ],
          [commands.nodePrefix, bounds.maxCount, bounds.maxAge],
          true,
        );
      } catch {
        return; // Redis is away: checked again at the next heartbeat
      }
      if (reply === 0 && ++take.missing < answeredChecks) return;
      if (Array.isArray(reply) && reply.length > 0) {
        try {
          // Stale ones or not, the take's key goes with the delivery.
          await deliver(take.key, keptSignals(reply as Buffer[], bounds.maxAge), take.takeKey);
        } catch {
          return; // still in the take's key: tried again at the next heartbeat
        }
      }
      this.#takes.delete(take.takeKey);
    }));
  }
}
