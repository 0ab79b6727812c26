/**
 * Time limits given to the adapters in milliseconds (`requestTimeout`), checked once when the
 * server starts and armed so that every value means what it says: `setTimeout` fires a delay
 * that is not a number, not positive, or over 2^31 − 1 ms after about 1 ms, which would drop
 * every connection at once. `Infinity` means no limit (no timer); a finite delay longer than
 * `setTimeout` takes (about 24.8 days) is clamped to the longest it takes. Internal to the
 * adapters.
 *
 * @example
 * ```ts
 * import { startTimeout, timeoutOption } from "./timeout_option.ts";
 * const ms = timeoutOption("requestTimeout", Infinity, 10_000);
 * console.assert(startTimeout(ms, () => {}) === undefined); // no limit: no timer
 * ```
 * @module
 */

import { timerDelay } from "../client/timer_delay.ts";

/**
 * Checks a time limit option: a positive number of milliseconds or `Infinity` (no limit);
 * `fallback` when it is not given.
 *
 * @throws {RangeError} when `value` is 0, negative, `NaN` or not a number.
 * @example
 * ```ts
 * import { timeoutOption } from "./timeout_option.ts";
 * console.assert(timeoutOption("requestTimeout", undefined, 10_000) === 10_000);
 * console.assert(timeoutOption("requestTimeout", 5000, 10_000) === 5000);
 * let refused = "";
 * try {
 *   timeoutOption("requestTimeout", 0, 10_000);
 * } catch (error) {
 *   refused = (error as RangeError).message;
 * }
 * console.assert(refused.startsWith("requestTimeout must be"));
 * ```
 */
export function timeoutOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) {
    const given = typeof value === "number" ? String(value) : `a ${typeof value}`;
    throw new RangeError(
      `${name} must be a positive number of milliseconds, or Infinity for no limit; got ${given}`,
    );
  }
  return value;
}

/**
 * Calls `fire` after `ms` milliseconds (a value checked by {@link timeoutOption}): never for
 * `Infinity` (no timer, `undefined` is returned), after about 24.8 days for anything longer.
 * The result goes to `clearTimeout` as a timer does (`clearTimeout(undefined)` does nothing).
 *
 * @example
 * ```ts
 * import { startTimeout } from "./timeout_option.ts";
 * let fired = false;
 * const timer = startTimeout(3_000_000_000, () => fired = true); // clamped, not at once
 * await new Promise((resolve) => setTimeout(resolve, 20));
 * console.assert(!fired);
 * clearTimeout(timer);
 * ```
 */
export function startTimeout(
  ms: number,
  fire: () => void,
): ReturnType<typeof setTimeout> | undefined {
  if (ms === Infinity) return undefined;
  return setTimeout(fire, timerDelay(ms));
}
