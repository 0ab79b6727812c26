/**
 * Lines to stdout that tell when nobody reads them any more: Deno's and Bun's `console.log`
 * ignore a closed pipe (EPIPE), so `webwire listen ... | head -1` would keep listening for good
 * once `head` has gone, and the shell waiting for the whole pipeline with it.
 *
 * @example
 * ```ts
 * import { printLine } from "./stdout_line.ts";
 * console.assert(printLine("hello") === true); // false once stdout's reader has gone
 * ```
 * @module
 */

import { writeSync } from "node:fs";
import process from "node:process";
import { CliError, ExitCode } from "./exit_codes.ts";

const encoder = new TextEncoder();

/**
 * Writes `line` and a newline to stdout, synchronously (nothing is left behind when the
 * process exits right after, as `process.stdout.write` would on Bun and Node with a slow pipe).
 *
 * @returns `false` when stdout is a pipe whose reader has gone (EPIPE), else `true`.
 * @throws {Error} when stdout cannot take the line (a full disk: ENOSPC; an I/O error), which
 *   Bun's `console.log` would hide and the line be lost.
 * @example
 * ```ts
 * import { printLine } from "./stdout_line.ts";
 * if (!printLine("tick")) console.error("nobody reads stdout any more");
 * ```
 */
export function printLine(line: string): boolean {
  const bytes = encoder.encode(`${line}\n`);
  if (queued) return queue(bytes);
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(1, bytes, at);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EPIPE") return false;
    if (code !== "EAGAIN" && code !== "EWOULDBLOCK") throw error;
    // A non-blocking stdout that is full: the rest, and every later line, as
    // the stream queues them, so that the lines stay in order.
    queued = true;
    process.stdout.on("error", (failure: { code?: string }) => {
      if (failure.code === "EPIPE") gone = true;
    });
    return queue(bytes.subarray(at));
  }
  return true;
}

/**
 * {@link printLine} for a command: a line that stdout cannot take is the command's failure.
 *
 * @returns `false` when stdout's reader has gone (EPIPE), else `true`.
 * @throws {CliError} with exit code 1 when stdout cannot take the line (ENOSPC, EIO).
 * @example
 * ```ts
 * import { printLineOrFail } from "./stdout_line.ts";
 * console.assert(printLineOrFail("hello") === true);
 * ```
 */
export function printLineOrFail(line: string): boolean {
  try {
    return printLine(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(ExitCode.Failure, `cannot write to stdout: ${reason}`);
  }
}

/** Whether lines go through `process.stdout`'s queue (once a synchronous write failed). */
let queued = false;
/** Whether the queue found stdout's reader gone. */
let gone = false;

function queue(bytes: Uint8Array): boolean {
  if (!gone) process.stdout.write(bytes);
  return !gone;
}
