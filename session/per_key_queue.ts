/**
 * Tasks queued per key: a task runs after every earlier task of the same key has settled, while
 * tasks of other keys run alongside. A file session manager queues each session's file
 * operations this way, so that a close is never undone by a lookup finishing after it.
 *
 * @example
 * ```ts
 * import { PerKeyQueue } from "./per_key_queue.ts";
 * const queue = new PerKeyQueue();
 * const order: string[] = [];
 * const slow = queue.run("a", async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   order.push("a1");
 * });
 * const next = queue.run("a", async () => void order.push("a2"));
 * const other = queue.run("b", async () => void order.push("b1"));
 * await Promise.all([slow, next, other]);
 * console.assert(order.join() === "b1,a1,a2");
 * ```
 * @module
 */

/**
 * Runs tasks one after the other per key; forgets a key once its queue is empty.
 *
 * @example
 * ```ts
 * import { PerKeyQueue } from "./per_key_queue.ts";
 * const queue = new PerKeyQueue();
 * const failed = queue.run("k", () => Promise.reject(new Error("disk full")));
 * const after = queue.run("k", () => Promise.resolve(42)); // runs although the first failed
 * console.assert((await after) === 42 && (await failed.catch(() => "failed")) === "failed");
 * ```
 */
export class PerKeyQueue {
  readonly #queues = new Map<string, Promise<void>>();

  /** Runs `task` after every earlier task of the same key has settled; resolves to its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const settled = result.then(() => {}, () => {});
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return result;
  }
}
