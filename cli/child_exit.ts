/**
 * Waiting for a child process the CLI started: Ctrl-C, SIGTERM and SIGHUP sent to the CLI alone
 * (a supervisor, `kill <pid>`) are passed on to the child, and the CLI ends with the child's exit
 * code, or 128 + the number of the signal that killed it, as shells say.
 *
 * @example
 * ```ts
 * import { spawn } from "node:child_process";
 * import { childExit } from "./child_exit.ts";
 * const child = spawn("node", ["-e", "process.exit(3)"], { stdio: "inherit" });
 * console.assert((await childExit(child, "node")) === 3);
 * ```
 * @module
 */

import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import process from "node:process";
import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * Resolves with `child`'s exit code once it exits, passing SIGINT, SIGTERM and SIGHUP on to it
 * meanwhile; rejects with a {@link CliError} when `command` could not be started.
 *
 * @example
 * ```ts
 * import { spawn } from "node:child_process";
 * import { childExit } from "./child_exit.ts";
 * const code = await childExit(spawn("node", ["--version"], { stdio: "ignore" }), "node");
 * console.assert(code === 0);
 * ```
 */
export async function childExit(child: ChildProcess, command: string): Promise<number> {
  // By pid, not child.kill(): Deno's node:child_process then reports the exit of a killed
  // child as that signal, although the child handled it and exited with a code of its own.
  const forward = (signal: "SIGINT" | "SIGTERM" | "SIGHUP") => () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // It has exited meanwhile.
    }
  };
  // SIGHUP too (a closed terminal, a supervisor's hang-up): without a listener it would end
  // the CLI alone and leave the child running, a server still listening with no parent.
  const signals = process.platform === "win32"
    ? ["SIGINT", "SIGTERM"] as const
    : ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const forwards = signals.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, onSignal] of forwards) process.on(signal, onSignal);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once(
        "error",
        (error) =>
          reject(new CliError(ExitCode.Failure, `cannot start ${command}: ${error.message}`)),
      );
      child.once("exit", (code, signal) => resolve(code ?? signalExitCode(signal)));
    });
  } finally {
    for (const [signal, onSignal] of forwards) process.off(signal, onSignal);
  }
}

/** 128 + the number of `signal` (a child killed by it did not finish); else 1. */
function signalExitCode(signal: string | null): number {
  const numbers: Record<string, number | undefined> = constants.signals;
  const number = signal === null ? undefined : numbers[signal];
  return number === undefined ? ExitCode.Failure : 128 + number;
}
