/**
 * A logger that keeps what it is given, for tests of what the server logs (and what it does
 * not).
 *
 * @example
 * ```ts
 * import { recordingLogger } from "./recording_logger.ts";
 * const { logger, warnings } = recordingLogger();
 * logger.warn("careful");
 * console.assert(warnings[0] === "careful");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";

/**
 * A logger and the lines it received.
 *
 * @example
 * ```ts
 * import { type RecordingLogger, recordingLogger } from "./recording_logger.ts";
 * import { RawClient } from "./raw_client.ts";
 * import { startServer } from "./serve.ts";
 * const { logger, warnings, errors }: RecordingLogger = recordingLogger();
 * const running = await startServer({ logger });
 * const client = await RawClient.handshake(running.url);
 * client.send("a text frame"); // a protocol violation: logged as a warning
 * await client.closed;
 * await running.close();
 * console.assert(warnings.length === 1 && errors.length === 0);
 * console.assert(warnings[0].includes("text frames are not WebWire messages"));
 * ```
 */
export interface RecordingLogger {
  /** The logger to give the code under test. */
  readonly logger: Logger;
  /** Every warning's message, oldest first. */
  readonly warnings: string[];
  /** Every error: its message and what came with it (usually the error). */
  readonly errors: { message: string; details: unknown[] }[];
}

/**
 * Creates an empty {@link RecordingLogger}.
 *
 * @example
 * ```ts
 * import { recordingLogger } from "./recording_logger.ts";
 * const { logger, errors } = recordingLogger();
 * logger.error("request handler failed", new Error("boom"));
 * console.assert(errors[0].details[0] instanceof Error);
 * ```
 */
export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  const errors: { message: string; details: unknown[] }[] = [];
  return {
    logger: {
      warn: (message) => void warnings.push(message),
      error: (message, ...details) => void errors.push({ message, details }),
    },
    warnings,
    errors,
  };
}
