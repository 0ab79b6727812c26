/**
 * When a connection last read a frame, kept without reading the clock per frame (55 to 70 ns on
 * Deno and Bun): frames are counted, and the first reading after them stamps the clock. A
 * reading is never earlier than the frames before it, so a connection never looks quieter than
 * it was; it may look busier, by up to the time between a frame and the next reading.
 *
 * @example
 * ```ts
 * import { LastRead } from "./last_read.ts";
 * const lastRead = new LastRead(1_000);
 * lastRead.frame(); // a frame came in
 * console.assert(lastRead.asOf(1_250) === 1_250); // stamped by the first reading after it
 * console.assert(lastRead.asOf(9_000) === 1_250); // nothing read since
 * ```
 * @module
 */

/**
 * The time of a connection's last frame, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { LastRead } from "./last_read.ts";
 * const lastRead = new LastRead(Date.now() - 60_000); // opened a minute ago, silent since
 * const silentFor = (now: number) => now - lastRead.asOf(now);
 * console.assert(silentFor(Date.now()) >= 60_000);
 * lastRead.frame();
 * console.assert(silentFor(Date.now()) === 0);
 * ```
 */
export class LastRead {
  /** No earlier than the last frame counted before the last reading. */
  #at: number;
  #frames = 0;
  /** `#frames` at the last reading that stamped the clock. */
  #stamped = 0;

  /** Starts as if a frame was read at `since` (ms on the clock that `asOf` is given). */
  constructor(since: number) {
    this.#at = since;
  }

  /** A frame was read. */
  frame(): void {
    this.#frames++;
  }

  /**
   * The last frame's time, stamping frames counted since the last reading with `now` (a clock
   * reading taken after them). Two readings differ when frames came between them.
   */
  asOf(now: number): number {
    if (this.#frames !== this.#stamped) {
      this.#stamped = this.#frames;
      this.#at = Math.max(now, this.#at + 1);
    }
    return this.#at;
  }
}
