/**
 * `webwire serve`: runs the conformance service (see `conformance/service.ts`) on this
 * library's server, with the Deno, Bun or Node adapter.
 *
 * @example
 * ```ts
 * import { serveCommand } from "./serve.ts";
 * console.assert(serveCommand.help.includes("--runtime"));
 * ```
 * @module
 */

import process from "node:process";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "../adapters/deno.ts";
import { serveBun } from "../adapters/bun.ts";
import { serveDeno } from "../adapters/deno.ts";
import { conformanceService } from "../conformance/service.ts";
import { Server } from "../server/server.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { choiceOption, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { currentRuntime, runInRuntime, type RuntimeName } from "./runtime.ts";

const help = `usage: webwire serve [options]

Runs the WebWire conformance service: the requests echo, login, whoami, user, logout,
error, internal, sleep and signal-me, and the signal echo-signal (conformance/README.md).
Prints "listening on ws://HOST:PORT/" once it listens; Ctrl-C shuts it down gracefully.

Options:
  --port N               port (default 8080; 0 picks a free one)
  --host HOST            interface to bind (default 127.0.0.1)
  --session-dir DIR      keep sessions in DIR, one file per session (default: in memory)
  --read-timeout MS      close silent connections after MS (default 60000, minimum 1000)
  --runtime deno|bun|node
                         the runtime and adapter to serve with (default: the one running
                         the CLI). Another runtime is started as a child process; node
                         needs a repository checkout with npm install (esbuild bundles
                         the CLI for Node 20, which cannot run TypeScript)
  -h, --help             this help

${exitCodesHelp}`;

async function listen(
  runtime: RuntimeName,
  server: Server,
  port: number,
  hostname: string,
): Promise<RunningServer> {
  if (runtime === "bun") return serveBun(server, { port, hostname });
  if (runtime === "deno") return serveDeno(server, { port, hostname });
  // Loaded only here, so that Deno and Bun never load the ws package for other commands.
  const { serveNode } = await import("../adapters/node.ts");
  return await serveNode(server, { port, hostname });
}

/** Resolves on the first Ctrl-C or termination signal. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/**
 * The `serve` command.
 *
 * @example
 * ```ts
 * import { serveCommand } from "./serve.ts";
 * console.assert(serveCommand.name === "serve");
 * ```
 */
export const serveCommand: Command = {
  name: "serve",
  summary: "run the conformance service on this library's server",
  help,
  async run(args) {
    const parsed = parseCommandArgs(args, {
      port: { type: "string" },
      host: { type: "string" },
      "session-dir": { type: "string" },
      "read-timeout": { type: "string" },
      runtime: { type: "string" },
    });
    if (parsed.values.help === true) {
      console.log(help);
      return ExitCode.Ok;
    }
    if (parsed.positionals.length > 0) {
      throw new CliError(ExitCode.Usage, `unexpected argument "${parsed.positionals[0]}"`);
    }
    const here = currentRuntime();
    const runtime = choiceOption(parsed, "runtime", ["deno", "bun", "node"], here);
    const port = integerOption(parsed, "port", 8080, 0, 65535);
    const hostname = stringOption(parsed, "host") ?? "127.0.0.1";
    const readTimeout = integerOption(parsed, "read-timeout", 60_000, 1000, 2 ** 32 - 1);
    const sessionDir = stringOption(parsed, "session-dir");
    if (runtime !== here) {
      const rest = args.filter((arg, i) => arg !== "--runtime" && args[i - 1] !== "--runtime")
        .filter((arg) => !arg.startsWith("--runtime="));
      const main = fileURLToPath(new URL("./main.ts", import.meta.url));
      return await runInRuntime(runtime, main, ["serve", ...rest]);
    }
    const server = new Server({
      ...conformanceService(),
      readTimeout,
      sessionManager: sessionDir === undefined
        ? new MemorySessionManager()
        : new FileSessionManager({ directory: sessionDir }),
    });
    let running: RunningServer;
    try {
      running = await listen(runtime, server, port, hostname);
    } catch (error) {
      await server.shutdown();
      throw new CliError(
        ExitCode.Failure,
        `cannot listen on ${hostname}:${port}: ${(error as Error).message}`,
      );
    }
    console.log(`webwire conformance service (${runtime}) listening on ${running.url}`);
    await interrupted();
    console.log("shutting down");
    await running.close();
    return ExitCode.Ok;
  },
};
