/**
 * How late this process's event loop ran, for the conformance suites and the project's tests
 * that bound how long something took: on a
 * machine shared with other processes a timer, a socket event or a reply can come late for
 * reasons that have nothing to do with the code under test. A test adds the lateness measured
 * over the same stretch of time to its upper bound, so that the bound still catches "waited for
 * the wrong thing" (seconds too late while the loop was on time) but not a busy machine.
 *
 * @example
 * ```ts
 * import { LoopLateness } from "./loop_lateness.ts";
 * const lateness = LoopLateness.start();
 * const started = performance.now();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * const elapsed = performance.now() - started;
 * const late = lateness.stop();
 * console.assert(elapsed < 1000 + late, `took ${elapsed} ms, the loop was ${late} ms late`);
 * ```
 * @module
 */

/**
 * A timer ticking every `periodMs` that adds up how much later than asked each tick ran.
 *
 * @example
 * ```ts
 * import { LoopLateness } from "./loop_lateness.ts";
 * const lateness = LoopLateness.start(5);
 * const busyUntil = performance.now() + 100;
 * while (performance.now() < busyUntil) { /* the loop is blocked for 100 ms *\/ }
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * console.assert(lateness.stop() >= 90, "the blocked loop was measured");
 * ```
 */
export class LoopLateness {
  readonly #periodMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = 0;
  #late = 0;

  private constructor(periodMs: number) {
    this.#periodMs = periodMs;
  }

  /** Starts measuring; ticks every `periodMs` (default 10). */
  static start(periodMs = 10): LoopLateness {
    const lateness = new LoopLateness(periodMs);
    lateness.#schedule();
    return lateness;
  }

  /** Milliseconds the ticks so far ran late, added up (the current tick's lateness included). */
  get total(): number {
    if (this.#timer === undefined) return this.#late;
    return this.#late + Math.max(0, performance.now() - this.#due);
  }

  /** Stops measuring and returns {@link total}. */
  stop(): number {
    const total = this.total;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#late = total;
    return total;
  }

  #schedule(): void {
    this.#due = performance.now() + this.#periodMs;
    this.#timer = setTimeout(() => {
      this.#late += Math.max(0, performance.now() - this.#due);
      this.#schedule();
    }, this.#periodMs);
    // Under Deno and Node, a pending tick must not keep a finished test's process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
