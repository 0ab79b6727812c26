/**
 * "It fails at once", checked without a clock: a promise that settles before a 0 ms timer fires
 * did not wait for a socket, a timer or a retry, however busy the machine is.
 *
 * @example
 * ```ts
 * import { rejectsAtOnce } from "./at_once.ts";
 * const error = await rejectsAtOnce(Promise.reject(new RangeError("bad")));
 * console.assert(error instanceof RangeError);
 * ```
 * @module
 */

import { AssertionError } from "node:assert";

/**
 * Resolves to the reason `promise` rejects with, if it rejects before a 0 ms timer fires;
 * throws an `AssertionError` if it resolves, or settles only later.
 *
 * @example
 * ```ts
 * import { rejectsAtOnce } from "./at_once.ts";
 * const later = new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 20));
 * const outcome = await rejectsAtOnce(later).catch((error) => error.name);
 * console.assert(outcome === "AssertionError");
 * await later.catch(() => {});
 * ```
 */
export async function rejectsAtOnce(promise: Promise<unknown>): Promise<unknown> {
  const pending = Symbol("pending");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error }),
    ),
    new Promise<typeof pending>((resolve) => timer = setTimeout(() => resolve(pending), 0)),
  ]);
  clearTimeout(timer);
  if (outcome === pending) {
    promise.catch(() => {});
    throw new AssertionError({ message: "the promise did not settle at once" });
  }
  if ("resolved" in outcome) {
    throw new AssertionError({ message: `expected a rejection, got ${String(outcome.resolved)}` });
  }
  return outcome.rejected;
}
