/**
 * Waiting in tests for something another task makes true (a disconnect reported, a handler
 * started), polling briefly instead of sleeping long.
 *
 * @example
 * ```ts
 * import { until } from "./until.ts";
 * await until(() => true, "nothing to wait for");
 * ```
 * @module
 */

/**
 * Polls `condition` (which may be async) every 5 ms until it holds; rejects after `timeoutMs` with `what` in the
 * message.
 *
 * @example
 * ```ts
 * import { until } from "./until.ts";
 * let done = false;
 * setTimeout(() => done = true, 10);
 * await until(() => done, "the timer fired");
 * ```
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  // Generous: it only ends a wait that failed, and a busy shared machine can take seconds.
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
