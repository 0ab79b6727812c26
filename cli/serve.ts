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

import { cliTrace } from "./trace.ts";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "../adapters/listening.ts";
import { serveBun } from "../adapters/bun.ts";
import { serveDeno } from "../adapters/deno.ts";
import { serveDenoTcp } from "../adapters/deno_tcp.ts";
import { conformanceService } from "../conformance/service.ts";
import { onStopSignals } from "../conformance/stop_signals.ts";
import { Server } from "../server/server.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { choiceOption, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { checkRedisUrl, openRedisEngine, type RedisEngine } from "./redis_engine.ts";
import { printableUrl } from "../protocol/printable_url.ts";
import { currentRuntime, runInRuntime, type RuntimeName } from "./runtime.ts";

const help = `usage: webwire serve [options]

Runs the WebWire conformance service: the requests echo, login, whoami, user, logout,
error, internal, sleep and signal-me, and the signal echo-signal (conformance/README.md).
Prints "listening on ws://HOST:PORT/" once it listens; Ctrl-C, SIGTERM or SIGHUP (its
terminal closed; not on Windows) shuts it down gracefully: it answers the requests in
flight, closes every connection (code 1001), then exits with 0. Any of these signals again
meanwhile is ignored (SIGKILL stops it at once). Before it listens (while it connects to
Redis), any of them stops it at once with 0 too.

Options:
  --port N               port (default 8080; 0 picks a free one; exit 1 when it cannot
                         listen there, such as a port in use)
  --host HOST            interface to bind (default 127.0.0.1; IPv6 as ::1 or [::1])
  --session-dir DIR      keep sessions in DIR, one file per session (default: in memory);
                         DIR is created if missing (exit 2 when no file can be written in it)
  --redis URL            keep sessions in the Redis at URL (redis://HOST:PORT) and join
                         the cluster of every server on it: run several "webwire serve
                         --redis URL" (on any runtime and port) and a session made on one
                         restores on any other (Redis 7 or later, or Valkey; exit 3 when
                         it does not answer within 5 s, or refuses the cluster's commands)
  --redis-prefix P       the prefix of the cluster's Redis keys (default webwire:); only
                         servers with the same prefix form one cluster
  --read-timeout MS      close silent connections after MS (default 60000, minimum 1000)
  --runtime deno|bun|node
                         the runtime and adapter to serve with (default: the one running
                         the CLI). Another runtime is started as a child process; node
                         needs a repository checkout with npm install (esbuild bundles
                         the CLI for Node 20, which cannot run TypeScript)
  --deno-tcp             on Deno, serve with serveDenoTcp (Deno.listen and this library's
                         own WebSocket framing) instead of Deno.serve
  -h, --help             this help

${exitCodesHelp}`;

async function listen(
  runtime: RuntimeName,
  server: Server,
  port: number,
  hostname: string,
  denoTcp: boolean,
): Promise<RunningServer> {
  if (runtime === "bun") return serveBun(server, { port, hostname });
  if (runtime === "deno" && denoTcp) return await serveDenoTcp(server, { port, hostname });
  if (runtime === "deno") return serveDeno(server, { port, hostname });
  // Loaded only here, so that Deno and Bun never load `node:http` for other commands.
  const { serveNode } = await import("../adapters/node.ts");
  return await serveNode(server, { port, hostname });
}

/** Sessions and cluster on Redis; `openRedisEngine` loads `redis/` (and ioredis) only now. */
function openRedis(
  url: string,
  prefix: string | undefined,
  abort: AbortSignal,
): Promise<RedisEngine> {
  return openRedisEngine(url, { keyPrefix: prefix ?? "webwire:", timeout: 5000, abort });
}

/**
 * Creates the session directory if need be and checks that a file can be written in it, so
 * that a bad `--session-dir` stops the server at once rather than failing every login.
 */
async function checkSessionDir(dir: string): Promise<void> {
  const probe = join(dir, `.webwire-probe-${process.pid}`);
  try {
    // Only its owner may list it: the files are named after the session keys, which are secrets.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new CliError(ExitCode.Usage, `--session-dir ${dir} cannot hold sessions: ${reason}`);
  }
}

/**
 * How long after the first stop signal (Ctrl-C, SIGTERM, SIGHUP) the listeners stay at the
 * least. A signal to the whole process group (a terminal's Ctrl-C or hang-up, `timeout`,
 * systemd) reaches a `--runtime` child twice: directly, and forwarded by its parent a moment
 * later. A Node process that the second one reaches while it exits dies of it, so an idle
 * server, closed at once, would end with 130 (or 129) instead of 0.
 */
const repeatedSignalMs = 250;

/**
 * Starts listening for the stop signals (Ctrl-C, SIGTERM and, but on Windows, SIGHUP: a closed
 * terminal would otherwise end the process at once with 129, every client dropped without a
 * close frame): `signalled` resolves on the first one; later ones, of any of these kinds, are
 * ignored until `stop` takes the listeners back, which the caller does only once the graceful
 * close has finished, and which waits until {@link repeatedSignalMs} have passed since the
 * first signal. A Ctrl-C or a hang-up reaches a `--runtime` child twice (to the whole process
 * group, and forwarded by its parent): without a listener the second one would kill the child
 * in the middle of its shutdown, dropping requests in flight.
 */
function watchSignals(): { signalled: Promise<void>; stop: () => Promise<void> } {
  let resolve!: () => void;
  const signalled = new Promise<void>((done) => resolve = done);
  let firstAt: number | undefined;
  const stopListening = onStopSignals(() => {
    firstAt ??= performance.now();
    resolve();
  });
  const stop = async () => {
    const wait = firstAt === undefined ? 0 : firstAt + repeatedSignalMs - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    stopListening();
  };
  return { signalled, stop };
}

/**
 * Prints a line after a stop signal, ignoring a stdout that cannot take it: after a hang-up
 * the terminal is gone, and Deno's `console.log` throws EIO there, which would end `serve`
 * with 1 before it closed a single connection.
 */
function printAfterStop(line: string): void {
  try {
    console.log(line);
  } catch {
    // Nobody is left to read it.
  }
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
      redis: { type: "string" },
      "redis-prefix": { type: "string" },
      "deno-tcp": { type: "boolean" },
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
    // An IPv6 address as it is written in a URL ([::1]) is the address: the adapters would
    // bracket it again in the printed URL (ws://[[::1]]:8080/, which no client can use).
    const hostname = (stringOption(parsed, "host") ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
    const readTimeout = integerOption(parsed, "read-timeout", 60_000, 1000, 2 ** 32 - 1);
    const sessionDir = stringOption(parsed, "session-dir");
    const redisUrl = stringOption(parsed, "redis");
    const redisPrefix = stringOption(parsed, "redis-prefix");
    if (sessionDir === "") throw new CliError(ExitCode.Usage, "--session-dir must not be empty");
    if (redisUrl !== undefined && sessionDir !== undefined) {
      throw new CliError(ExitCode.Usage, "--redis and --session-dir exclude each other");
    }
    if (redisPrefix !== undefined && redisUrl === undefined) {
      throw new CliError(ExitCode.Usage, "--redis-prefix needs --redis");
    }
    if (redisPrefix === "") throw new CliError(ExitCode.Usage, "--redis-prefix must not be empty");
    if (redisUrl !== undefined) checkRedisUrl(redisUrl);
    const denoTcp = parsed.values["deno-tcp"] === true;
    if (denoTcp && runtime !== "deno") {
      throw new CliError(ExitCode.Usage, "--deno-tcp needs the deno runtime (--runtime deno)");
    }
    if (runtime !== here) {
      const rest = args.filter((arg, i) => arg !== "--runtime" && args[i - 1] !== "--runtime")
        .filter((arg) => !arg.startsWith("--runtime="));
      const main = fileURLToPath(new URL("./main.ts", import.meta.url));
      return await runInRuntime(runtime, main, ["serve", ...rest]);
    }
    // Watched from here on: a supervisor may stop the server while it still connects to Redis,
    // and whoever reads the printed URL may signal at once.
    const signals = watchSignals();
    const interrupted = new AbortController();
    void signals.signalled.then(() => interrupted.abort());
    try {
      if (sessionDir !== undefined) await checkSessionDir(sessionDir);
      let redis: RedisEngine | undefined;
      try {
        if (redisUrl !== undefined) {
          console.log(`connecting to Redis at ${printableUrl(redisUrl)}`);
          redis = await openRedis(redisUrl, redisPrefix, interrupted.signal);
        }
      } catch (error) {
        if (!interrupted.signal.aborted) throw error;
        printAfterStop("stopped before listening");
        return ExitCode.Ok;
      }
      const server = new Server({
        ...conformanceService(),
        readTimeout,
        sessionManager: redis?.sessionManager ??
          (sessionDir === undefined
            ? new MemorySessionManager()
            : new FileSessionManager({ directory: sessionDir })),
        cluster: redis?.cluster,
        trace: cliTrace(),
      });
      await Promise.race([server.clusterJoined, signals.signalled]);
      const joinError = redis?.joinError();
      if (joinError !== undefined) {
        await server.shutdown();
        await redis?.close();
        throw new CliError(
          ExitCode.Unreachable,
          `cannot join the cluster on Redis at ${printableUrl(redisUrl!)}: ${joinError.message}`,
        );
      }
      let running: RunningServer | undefined;
      try {
        if (!interrupted.signal.aborted) {
          running = await listen(runtime, server, port, hostname, denoTcp);
        }
      } catch (error) {
        await server.shutdown();
        await redis?.close();
        const message = (error as Error).message;
        // The Deno adapters name the address already.
        throw new CliError(
          ExitCode.Failure,
          message.startsWith("cannot listen on ")
            ? message
            : `cannot listen on ${hostname}:${port}: ${message}`,
        );
      }
      if (running === undefined) {
        await server.clusterJoined; // a join cut short by the shutdown would log its failure
        await server.shutdown();
        await redis?.close();
        printAfterStop("stopped before listening");
        return ExitCode.Ok;
      }
      if (redis !== undefined) {
        console.log(
          `cluster node ${redis.nodeId} on ${printableUrl(redisUrl!)} (key prefix ${
            redisPrefix ?? "webwire:"
          })`,
        );
      }
      console.log(`webwire conformance service (${runtime}) listening on ${running.url}`);
      await signals.signalled;
      printAfterStop("shutting down");
      await running.close();
      await redis?.close();
    } finally {
      await signals.stop();
    }
    return ExitCode.Ok;
  },
};
