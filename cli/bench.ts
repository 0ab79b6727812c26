/**
 * `webwire bench`: runs the repository's benchmark script, `node bench/run.mjs`.
 *
 * @example
 * ```ts
 * import { benchCommand } from "./bench.ts";
 * console.assert(benchCommand.name === "bench");
 * ```
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

const help = `usage: webwire bench [arguments for bench/run.mjs]

Runs "node bench/run.mjs" of a repository checkout with the given arguments: the codec
benchmarks under Deno and Bun, their results in bench/results/ and the README table.
Needs Node, and the checkout's npm install. Exit code: that of the script (2 when it is
missing, as when the CLI runs from a registry).`;

/**
 * The `bench` command.
 *
 * @example
 * ```ts
 * import { benchCommand } from "./bench.ts";
 * console.assert(benchCommand.help.includes("bench/run.mjs"));
 * ```
 */
export const benchCommand: Command = {
  name: "bench",
  summary: "run the benchmarks (node bench/run.mjs)",
  help,
  run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      console.log(help);
      return Promise.resolve(ExitCode.Ok);
    }
    const url = new URL("../bench/run.mjs", import.meta.url);
    if (url.protocol !== "file:" || !existsSync(fileURLToPath(url))) {
      throw new CliError(ExitCode.Usage, "bench needs a repository checkout (bench/run.mjs)");
    }
    const script = fileURLToPath(url);
    const child = spawn("node", [script, ...args], {
      stdio: "inherit",
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    });
    // A SIGINT or SIGTERM sent to the CLI alone (a supervisor, kill <pid>) is passed on, and the
    // CLI waits for the script: without this the CLI died at once and left the script (and the
    // servers and load it runs) running on its own. By pid, as runtime.ts does.
    const forward = (signal: "SIGINT" | "SIGTERM") => () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(child.pid, signal);
      } catch {
        // It has exited meanwhile.
      }
    };
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const signals: Record<string, number | undefined> = constants.signals;
    return new Promise<number>((resolve, reject) => {
      child.once(
        "error",
        (error) => reject(new CliError(ExitCode.Failure, `cannot start node: ${error.message}`)),
      );
      child.once("exit", (code, signal) => {
        const bySignal = signal === null ? undefined : signals[signal];
        resolve(code ?? (bySignal === undefined ? ExitCode.Failure : 128 + bySignal));
      });
    }).finally(() => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    });
  },
};
