/**
 * Records the delay of every `setTimeout` call while a test body runs, to check which timers
 * code under test arms (say, that none exceeds the 2^31 - 1 ms a timer can wait).
 *
 * @example
 * ```ts
 * import { recordingTimers } from "./recording_timers.ts";
 * await recordingTimers(async (delays) => {
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   console.assert(delays.includes(1));
 * });
 * ```
 * @module
 */

/**
 * Runs `body` with `globalThis.setTimeout` replaced by one that records each delay (0 when
 * none was given) into the array `body` gets, then puts the original back.
 *
 * @example
 * ```ts
 * import { recordingTimers } from "./recording_timers.ts";
 * await recordingTimers((delays) => {
 *   clearTimeout(setTimeout(() => {}, 5));
 *   console.assert(delays[0] === 5);
 *   return Promise.resolve();
 * });
 * ```
 */
export async function recordingTimers(
  body: (delays: number[]) => Promise<void>,
): Promise<void> {
  const original = globalThis.setTimeout;
  const delays: number[] = [];
  const recording = ((handler: () => void, ms?: number, ...rest: unknown[]) => {
    delays.push(ms ?? 0);
    return original(handler, ms, ...rest);
  }) as typeof setTimeout;
  globalThis.setTimeout = recording;
  try {
    await body(delays);
  } finally {
    globalThis.setTimeout = original;
  }
}
