/**
 * Runs tasks with at most N at once, the rest waiting in arrival order: the per-connection
 * concurrency limit of the server.
 *
 * @example
 * ```ts
 * import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
 * const limiter = new ConcurrencyLimiter(1);
 * const order: number[] = [];
 * await Promise.all([1, 2, 3].map((n) => limiter.run(async () => void order.push(n))));
 * console.assert(order.join() === "1,2,3");
 * ```
 * @module
 */

/**
 * A first-in first-out limiter of concurrent tasks.
 *
 * @example
 * ```ts
 * import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
 * const unlimited = new ConcurrencyLimiter(0);
 * console.assert((await unlimited.run(() => 42)) === 42);
 * ```
 */
export class ConcurrencyLimiter {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  /** A limit of 0 or less means unlimited. */
  constructor(limit: number) {
    this.#limit = limit > 0 ? limit : Infinity;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `task` once a slot is free; resolves or rejects with its result. */
  async run<T>(task: () => T | Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#head < this.#waiting.length) {
      // The slot passes straight to the next waiter, so `running` stays the same.
      const next = this.#waiting[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      next();
    } else {
      this.#running--;
    }
  }
}
