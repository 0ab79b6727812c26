/**
 * A logger that never throws at its caller: the server and client log from event handlers,
 * timers and the middle of a broadcast, where a logger's own failure would otherwise end the
 * process or leave work half done.
 *
 * @example
 * ```ts
 * import { guardedLogger } from "./guarded_logger.ts";
 * const logger = guardedLogger({
 *   warn: () => {},
 *   error: () => {
 *     throw new Error("log sink down");
 *   },
 * });
 * logger.error("a handler failed"); // reported once on console.error, then dropped
 * ```
 * @module
 */

import type { Logger } from "./logger.ts";

/**
 * Wraps `logger` so that a call that throws returns normally, and a promise that an async
 * logger returns is caught. The first such failure is reported once on `console.error` (when
 * that throws too, nothing more is tried); later failures are dropped, so a broken logger
 * never floods the console.
 *
 * @example
 * ```ts
 * import { guardedLogger } from "./guarded_logger.ts";
 * const lines: string[] = [];
 * const logger = guardedLogger({ warn: (m) => void lines.push(m), error: (m) => void lines.push(m) });
 * logger.warn("careful");
 * console.assert(lines[0] === "careful");
 * ```
 */
export function guardedLogger(logger: Logger): Logger {
  let reported = false;
  const failed = (error: unknown): void => {
    if (reported) return;
    reported = true;
    try {
      console.error("webwire: the logger threw; this and later failures of it are dropped", error);
    } catch {
      // Nowhere left to report it.
    }
  };
  // An async logger's promise that rejects is a failure too, never an unhandled rejection.
  const settled = (result: unknown): void => {
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
      Promise.resolve(result).catch(failed);
    }
  };
  return {
    warn(message, ...details) {
      try {
        settled(logger.warn(message, ...details));
      } catch (error) {
        failed(error);
      }
    },
    error(message, ...details) {
      try {
        settled(logger.error(message, ...details));
      } catch (error) {
        failed(error);
      }
    },
  };
}
