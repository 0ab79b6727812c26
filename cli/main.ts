/**
 * The `webwire` command line: serve the conformance service, call and signal servers, listen
 * to their signals, run the conformance suites and the benchmarks.
 *
 * ```sh
 * deno run -A cli/main.ts <command> [arguments]    # or: bun run cli/main.ts ...
 * webwire <command> --help
 * ```
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * // Prints a command's help and resolves with the exit code (0).
 * const help = () => runCli(["call", "--help"]);
 * console.assert(typeof help === "function");
 * ```
 * @module
 */

import process from "node:process";
import { benchCommand } from "./bench.ts";
import { callCommand } from "./call.ts";
import type { Command } from "./command.ts";
import { conformanceCommand } from "./conformance.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { listenCommand } from "./listen.ts";
import { serveCommand } from "./serve.ts";
import { signalCommand } from "./signal.ts";

const commands: readonly Command[] = [
  serveCommand,
  callCommand,
  signalCommand,
  listenCommand,
  conformanceCommand,
  benchCommand,
];

const overview = `usage: webwire <command> [arguments]

Commands:
${commands.map((c) => `  ${c.name.padEnd(13)}${c.summary}`).join("\n")}

Run "webwire <command> --help" for a command's options.

${exitCodesHelp}`;

/**
 * Runs the CLI with `args` (the arguments after the program): prints to stdout and stderr
 * and resolves with the exit code; never exits the process itself.
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * console.assert(typeof runCli === "function");
 * ```
 */
export async function runCli(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`webwire: unknown command "${name}"\n\n${overview}`);
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`webwire ${name}: ${error.message}`);
      if (error.exitCode === ExitCode.Usage) console.error(`(see: webwire ${name} --help)`);
      return error.exitCode;
    }
    console.error(`webwire ${name}: unexpected failure:`, error);
    return ExitCode.Failure;
  }
}

if (import.meta.main) {
  // Exit explicitly: an open socket or timer must not keep a finished command alive.
  process.exit(await runCli(process.argv.slice(2)));
}
