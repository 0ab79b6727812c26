/**
 * The closes of sessions that a node could not publish, kept to be published again once its
 * link to Redis is back. A push is delivered at most once, but a close is different: a node that
 * never hears of one lets its connections keep a session that is gone. The server tries a close
 * again for about a minute; an outage can last longer, so the node keeps the keys (up to
 * {@link maxUnsentCloses}, the oldest dropped first) and publishes them again at each heartbeat
 * that reaches Redis until one goes through. Internal to `RedisCluster`.
 *
 * @example
 * ```ts
 * import { UnsentCloses } from "./cluster_closes.ts";
 * const unsent = new UnsentCloses();
 * unsent.failed("ada");
 * const sent: string[] = [];
 * await unsent.publishAgain(async (key) => void sent.push(key));
 * console.assert(sent[0] === "ada" && unsent.size === 0);
 * ```
 * @module
 */

/** Closes kept at most; beyond it the oldest is dropped. */
export const maxUnsentCloses = 10_000;

/**
 * Keys of sessions whose close could not be published, oldest first.
 *
 * @example
 * ```ts
 * import { UnsentCloses } from "./cluster_closes.ts";
 * const unsent = new UnsentCloses();
 * unsent.failed("ada");
 * unsent.published("ada"); // the server's own try went through meanwhile
 * console.assert(unsent.size === 0);
 * ```
 */
export class UnsentCloses {
  readonly #keys = new Set<string>();
  /** Whether a pass of {@link UnsentCloses.publishAgain} is under way. */
  #publishing = false;

  /** How many closes wait to be published again. */
  get size(): number {
    return this.#keys.size;
  }

  /** The close of session `key` could not be published. */
  failed(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > maxUnsentCloses) {
      this.#keys.delete(this.#keys.values().next().value as string);
    }
  }

  /** The close of session `key` was published. */
  published(key: string): void {
    this.#keys.delete(key);
  }

  /**
   * Publishes every kept close again with `publish`, all at once (the node batches them):
   * those that fail are kept for the next time. Does nothing while an earlier pass is under
   * way (heartbeats that waited for a reconnect all run at once).
   */
  async publishAgain(publish: (key: string) => Promise<void>): Promise<void> {
    if (this.#publishing) return;
    this.#publishing = true;
    try {
      await Promise.all([...this.#keys].map(async (key) => {
        try {
          await publish(key);
          this.published(key);
        } catch {
          // Still kept: the next heartbeat tries it again.
        }
      }));
    } finally {
      this.#publishing = false;
    }
  }
}
