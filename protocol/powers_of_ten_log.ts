/**
 * When to log an event that may repeat in a burst: at its 1st, 10th, 100th, ... occurrence
 * since the burst began, so that a long outage writes a handful of lines and the next outage
 * is logged again from its first occurrence. Internal to the server and the client.
 *
 * @example
 * ```ts
 * import { PowersOfTenLog } from "./powers_of_ten_log.ts";
 * const failures = new PowersOfTenLog();
 * const logged = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].filter(() => failures.tally());
 * console.assert(logged.join() === "1,10");
 * failures.reset(); // a success ends the burst: the next failure is logged again
 * console.assert(failures.tally() && failures.count === 1);
 * ```
 * @module
 */

/**
 * Counts the occurrences of one burst and says which ones to log.
 *
 * @example
 * ```ts
 * import { PowersOfTenLog } from "./powers_of_ten_log.ts";
 * const dropped = new PowersOfTenLog();
 * for (let i = 0; i < 150; i++) {
 *   if (dropped.tally()) console.warn(`dropped ${dropped.count} so far`); // 1, 10, 100
 * }
 * ```
 */
export class PowersOfTenLog {
  #count = 0;
  #nextLogged = 1;

  /** Occurrences since the burst began. */
  get count(): number {
    return this.#count;
  }

  /** Counts one occurrence; `true` when it is the 1st, 10th, 100th, ... of the burst. */
  tally(): boolean {
    this.#count++;
    if (this.#count !== this.#nextLogged) return false;
    this.#nextLogged *= 10;
    return true;
  }

  /** Ends the burst: the next occurrence is the 1st again. */
  reset(): void {
    this.#count = 0;
    this.#nextLogged = 1;
  }
}
