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

/** Takes the place of a waiting task once it has started. */
const started = (): void => {};

/**
 * A first-in first-out limiter of concurrent tasks. `acquire` starts a task synchronously when a
 * slot is free, so that the common, uncontended case costs no promise; the task gives its slot
 * back with `release`.
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

  /** Tasks holding a slot now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Calls `start` at once if a slot is free, else when one is; `start` must call
   * {@link ConcurrencyLimiter.release} exactly once when its task is done.
   */
  acquire(start: () => void): void {
    if (this.#running < this.#limit) {
      this.#running++;
      start();
    } else {
      this.#waiting.push(start);
    }
  }

  /**
   * Takes a slot if one is free, without waiting: `true` when the caller got it (and must
   * {@link ConcurrencyLimiter.release} it), `false` when it must {@link acquire} instead. Saves
   * the closure `acquire` needs on the common path.
   *
   * @example
   * ```ts
   * import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
   * const limiter = new ConcurrencyLimiter(1);
   * console.assert(limiter.tryAcquire() && !limiter.tryAcquire());
   * limiter.release();
   * ```
   */
  tryAcquire(): boolean {
    // Nobody waits while a slot is free: `release` hands a slot straight to a waiter.
    if (this.#running >= this.#limit) return false;
    this.#running++;
    return true;
  }

  /** Gives a slot back: it passes to the longest-waiting task, if any. */
  release(): void {
    if (this.#head === this.#waiting.length) {
      this.#running--;
      return;
    }
    // The slot passes straight to the next waiter, so `running` stays the same. It starts from
    // a microtask so that a chain of synchronous tasks cannot grow the stack.
    const next = this.#waiting[this.#head];
    // The started task is let go: what its closure holds (a request's bytes) must not stay.
    this.#waiting[this.#head++] = started;
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    queueMicrotask(next);
  }

  /** Runs `task` once a slot is free; resolves or rejects with its result. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.acquire(() => {
        Promise.resolve().then(task).then(resolve, reject).finally(() => this.release());
      });
    });
  }
}
