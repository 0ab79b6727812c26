/**
 * Where the server and client write what goes wrong outside of any caller's reach (a handler
 * that failed, a reply for an unknown request, a hook that threw).
 *
 * @example
 * ```ts
 * import type { Logger } from "./logger.ts";
 * const lines: string[] = [];
 * const logger: Logger = { warn: (m) => void lines.push(m), error: (m) => void lines.push(m) };
 * logger.warn("careful");
 * console.assert(lines.length === 1);
 * ```
 * @module
 */

/**
 * A minimal logger; `console` is one.
 *
 * @example
 * ```ts
 * import type { Logger } from "./logger.ts";
 * const logger: Logger = console;
 * console.assert(typeof logger.error === "function");
 * ```
 */
export interface Logger {
  /** Something unusual that the library handled. */
  warn(message: string, ...details: unknown[]): void;
  /** Something that failed. */
  error(message: string, ...details: unknown[]): void;
}

/**
 * A logger that drops everything, for tests and quiet programs.
 *
 * @example
 * ```ts
 * import { silentLogger } from "./logger.ts";
 * silentLogger.error("not shown");
 * ```
 */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
