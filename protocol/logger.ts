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
 * import { Server } from "../server.ts";
 * import { serveDeno } from "../adapters/deno.ts";
 * import { Client, InternalError } from "../client.ts";
 * import type { Logger } from "./logger.ts";
 * const errors: string[] = [];
 * const logger: Logger = { warn: console.warn, error: (message) => void errors.push(message) };
 * const running = serveDeno(new Server({
 *   sessionsEnabled: false,
 *   logger,
 *   onRequest: () => {
 *     throw new Error("database down");
 *   },
 * }));
 * const client = new Client(running.url);
 * const failure = await client.request("report").catch((error) => error);
 * // The client hears of an internal error; the details go to the server's logger only.
 * console.assert(failure instanceof InternalError);
 * console.assert(errors[0] === 'request handler failed (request "report")');
 * await client.close();
 * await running.close();
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
