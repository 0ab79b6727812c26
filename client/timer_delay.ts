/**
 * Timer delays that runtimes honour: `setTimeout` takes at most 2^31 − 1 ms (about 24.8 days)
 * and fires a longer delay at once, which would turn a long timeout into none at all and a
 * long heartbeat interval into a busy loop.
 *
 * @example
 * ```ts
 * import { timerDelay } from "./timer_delay.ts";
 * console.assert(timerDelay(3_000_000_000) === 2 ** 31 - 1);
 * ```
 * @module
 */

/**
 * The longest delay `setTimeout` honours, in milliseconds.
 *
 * @example
 * ```ts
 * import { maxTimerDelay } from "./timer_delay.ts";
 * console.assert(maxTimerDelay === 2_147_483_647);
 * ```
 */
export const maxTimerDelay = 2_147_483_647;

/**
 * A delay clamped to {@link maxTimerDelay}.
 *
 * @example
 * ```ts
 * import { timerDelay } from "./timer_delay.ts";
 * console.assert(timerDelay(45_000) === 45_000);
 * ```
 */
export function timerDelay(ms: number): number {
  return Math.min(ms, maxTimerDelay);
}
