/**
 * A queue whose consumer waits for the next item with a timeout: what every wire-level test
 * peer needs for "the next frame, or fail after so long" (the live suites' connections and
 * scripted server, and the project's own raw test client).
 *
 * @example
 * ```ts
 * import { WaitQueue } from "./wait_queue.ts";
 * const queue = new WaitQueue<string>();
 * queue.push("a");
 * console.assert((await queue.next(10)) === "a");
 * console.assert((await queue.next(10)) === undefined);
 * ```
 * @module
 */

/**
 * Items in arrival order; `next` hands each out once and waits for the next, and `end()` wakes
 * a waiting consumer for good. Every item stays in {@link WaitQueue.all}.
 *
 * @example
 * ```ts
 * import { WaitQueue } from "./wait_queue.ts";
 * const queue = new WaitQueue<number>();
 * setTimeout(() => queue.end(), 5);
 * console.assert((await queue.next(1000)) === undefined && queue.ended);
 * ```
 */
export class WaitQueue<T> {
  /** Every item pushed so far, oldest first (including the ones `next` handed out). */
  readonly all: T[] = [];
  #read = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  /** Adds an item and wakes a waiting consumer. */
  push(item: T): void {
    this.all.push(item);
    this.#signal();
  }

  /** No more items will come: a waiting consumer returns at once. */
  end(): void {
    this.#ended = true;
    this.#signal();
  }

  /** Whether `end()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** How many items are waiting to be handed out. */
  get pending(): number {
    return this.all.length - this.#read;
  }

  /**
   * The next item not yet handed out; `undefined` after `timeoutMs` or, once the queue
   * ended, as soon as no item is left (see {@link WaitQueue.ended} to tell the two apart).
   */
  async next(timeoutMs: number): Promise<T | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (this.#read >= this.all.length) {
      const left = deadline - performance.now();
      if (this.#ended || left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.all[this.#read++];
  }

  /** Resolves to `true` if no item is waiting now nor arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    if (this.pending > 0) return false;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.pending === 0;
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
