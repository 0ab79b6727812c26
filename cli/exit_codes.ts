/**
 * The exit codes of the `webwire` command line and the error that carries one, so that every
 * command fails the same way: a one-line message on stderr and a documented code.
 *
 * @example
 * ```ts
 * import { CliError, ExitCode } from "./exit_codes.ts";
 * const error = new CliError(ExitCode.Usage, "expected a URL");
 * console.assert(error.exitCode === 2);
 * ```
 * @module
 */

/**
 * Exit codes: 0 success, 1 the server answered with an error (or a conformance run had failures, or
 * `serve` could not listen), 2 bad usage (unknown command or option, bad value such as a payload
 * larger than the server accepts, bad URL), 3 cannot connect (unreachable, refused, handshake
 * refused, connection lost; for `serve`, Redis unreachable), 4 timed out waiting for a reply or for
 * signals.
 *
 * @example
 * ```ts
 * import { ExitCode } from "./exit_codes.ts";
 * console.assert(ExitCode.Timeout === 4);
 * ```
 */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /**
   * The server answered with an error, a conformance run had failures, or `serve` could not
   * listen (the port in use, not permitted), or stdout could not take the output (a full disk).
   */
  Failure: 1,
  /** Bad usage: unknown command or option, bad value (a payload too large), bad URL. */
  Usage: 2,
  /**
   * Cannot connect: unreachable, refused, handshake refused, or the connection was lost (for
   * `serve --redis`: Redis did not answer).
   */
  Unreachable: 3,
  /** Timed out waiting for a reply or for signals. */
  Timeout: 4,
} as const;

/**
 * The help text's section on exit codes, shared by every command.
 *
 * @example
 * ```ts
 * import { exitCodesHelp } from "./exit_codes.ts";
 * console.assert(exitCodesHelp.includes("4"));
 * ```
 */
export const exitCodesHelp: string = `Exit codes:
  0  success
  1  the server answered with an error (request error, internal error, shutdown,
     session not restored), a conformance run had failures, serve could not
     listen (the port in use, not permitted), or the output could not be written
     (a full disk)
  2  bad usage: unknown command or option, bad value (such as a payload larger than
     the server accepts), bad URL
  3  cannot connect: unreachable, refused, handshake refused, or the connection was lost
     (serve --redis: Redis did not answer)
  4  timed out waiting for a reply (--timeout) or for signals
  128 + n  the runtime started for the command (serve --runtime, webwire.mjs) was
     killed by signal n (130 for SIGINT)`;

/**
 * A failure of a command: `message` goes to stderr, `exitCode` ends the process.
 *
 * @example
 * ```ts
 * import { CliError, ExitCode } from "./exit_codes.ts";
 * console.assert(new CliError(ExitCode.Timeout, "no reply").message === "no reply");
 * ```
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  /** Creates the error with its exit code and message. */
  constructor(exitCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
