/**
 * Telling a response body produced in memory (its reads settle at once) from one that waits for
 * something (an event stream): the adapters that write HTTP themselves send the first in one
 * write and stream the second. Internal to the adapters.
 *
 * @example
 * ```ts
 * import { settledAtOnce } from "./settled_at_once.ts";
 * console.assert((await settledAtOnce(Promise.resolve(1))) === 1);
 * ```
 * @module
 */

/**
 * What `read` gives if it settles before the event loop turns (a body produced in memory
 * does), else `undefined` (the body waits for something: stream what came so far). A rejection
 * that comes in time is passed on.
 *
 * @example
 * ```ts
 * import { settledAtOnce } from "./settled_at_once.ts";
 * const later = new Promise((resolve) => setTimeout(resolve, 50));
 * console.assert((await settledAtOnce(later)) === undefined);
 * ```
 */
export function settledAtOnce<T>(read: Promise<T>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), 0);
    read.then((result) => {
      clearTimeout(timer);
      resolve(result);
    }, (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
