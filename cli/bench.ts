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
import { fileURLToPath } from "node:url";
import { childExit } from "./child_exit.ts";
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
    // The script (and the servers and load it runs) must not outlive a CLI told to stop.
    return childExit(child, "node");
  },
};
