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
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { runCli } from "@webwire/webwire/cli";
 * const running = serveDeno(new Server({ sessionsEnabled: false, onRequest: (r) => r.payload }));
 * // As `webwire call <url> echo hello` would: prints "hello", resolves with exit code 0.
 * console.assert((await runCli(["call", running.url, "echo", "hello"])) === 0);
 * await running.close();
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
 * import { runCli } from "@webwire/webwire/cli";
 * import { ExitCode } from "./exit_codes.ts";
 * // Each failure has its exit code, with a message on stderr.
 * console.assert((await runCli(["call"])) === ExitCode.Usage); // no server URL
 * const refused = await runCli(["call", "ws://127.0.0.1:1/", "ping", "--timeout", "2000"]);
 * console.assert(refused === ExitCode.Unreachable);
 * ```
 */
export async function runCli(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    // No command is bad usage: the overview goes to stderr, as every usage error's message.
    console.error(overview);
    return ExitCode.Usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(overview);
    return ExitCode.Ok;
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
