/**
 * Runs the live server suite against a WebWire v2 server that implements the conformance
 * service:
 *
 * ```sh
 * deno run -A conformance/run_server_suite.ts ws://127.0.0.1:8080/
 * bun run conformance/run_server_suite.ts ws://127.0.0.1:8080/ --verbose
 * ```
 *
 * It prints `PASS name`, `FAIL name: reason`, `SKIP name: why` (a check that cannot run against
 * the server as configured) or (for informational checks, never counted as failures)
 * `INFO name: yes|no, detail` per check, and as its last line `N passed, N failed`.
 * Exit code 0 when every mandatory check passed, 1 when one failed, 2 for bad usage or a
 * server that cannot be reached. Options: `--timeout MS` (per step, default 2000),
 * `--only name,name`, `--verbose` (details of passes too). Ctrl-C, SIGTERM or SIGHUP stops the
 * run, closing the connections of the check running first (exit 1, "interrupted").
 *
 * @example
 * ```ts
 * import { execFile } from "node:child_process";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * import { conformanceService } from "./service.ts";
 * import { startServer } from "../testing/serve.ts";
 * const running = await startServer(conformanceService()); // the server under test
 * const script = fileURLToPath(new URL("./run_server_suite.ts", import.meta.url));
 * const args = ["run", "-A", script, running.url, "--only", "accept-conf,error-reply"];
 * const stdout = await new Promise<string>((resolve, reject) =>
 *   execFile(process.execPath, args, (error, out) => error ? reject(error) : resolve(out))
 * );
 * console.assert(stdout.endsWith("PASS accept-conf\nPASS error-reply\n2 passed, 0 failed\n"));
 * await running.close();
 * ```
 * @module
 */

import process from "node:process";
import {
  formatResult,
  runServerSuite,
  type ServerSuiteOptions,
  ServerUnreachableError,
} from "./server_suite.ts";
import { onStopSignals } from "./stop_signals.ts";

const usage =
  "usage: run_server_suite.ts <ws://host:port/path> [--timeout MS] [--only name,name] [--verbose]";

/**
 * Parsed command line of the script.
 *
 * @example
 * ```ts
 * import type { SuiteArguments } from "./run_server_suite.ts";
 * const args: SuiteArguments = { url: "ws://127.0.0.1:1/", verbose: false, options: {} };
 * console.assert(!args.verbose);
 * ```
 */
export interface SuiteArguments {
  /** The server's URL. */
  url: string;
  /** Whether passes show their detail. */
  verbose: boolean;
  /** Options for `runServerSuite`. */
  options: ServerSuiteOptions;
}

/**
 * Parses the script's arguments; returns an error message (with the usage) when they are bad.
 *
 * @example
 * ```ts
 * import { parseSuiteArguments } from "./run_server_suite.ts";
 * const args = parseSuiteArguments(["ws://127.0.0.1:8080/", "--timeout", "500", "-v"]);
 * if (typeof args === "string") throw new Error(args);
 * console.assert(args.url === "ws://127.0.0.1:8080/" && args.options.timeoutMs === 500);
 * console.assert(args.verbose && args.options.only === undefined);
 * const usage = parseSuiteArguments([]); // no URL: the usage text
 * const bad = parseSuiteArguments(["http://127.0.0.1:8080/"]);
 * console.assert(bad === `expected a ws:// or wss:// URL, got http://127.0.0.1:8080/\n${usage}`);
 * ```
 */
/** The largest `--timeout`: 5 times it plus 1 s is still a valid timer delay (2^31 - 1 ms). */
const maxTimeoutMs = Math.floor((2 ** 31 - 1 - 1000) / 5);

export function parseSuiteArguments(argv: readonly string[]): SuiteArguments | string {
  let url: string | undefined;
  let verbose = false;
  const options: ServerSuiteOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // `--name=value` is `--name value`.
    const joined = /^(--timeout|--only)=(.*)$/s.exec(arg);
    const flag = joined?.[1] ?? arg;
    const value = (): string | undefined => joined === null ? argv[++i] : joined[2];
    if (arg === "--verbose" || arg === "-v") {
      verbose = true;
    } else if (flag === "--timeout") {
      const text = value() ?? "";
      const ms = Number(text);
      // Digits only, and small enough that a check's limit (5 × it + 1 s) fits a timer.
      if (!/^[0-9]+$/.test(text) || !(ms > 0 && ms <= maxTimeoutMs)) {
        return `--timeout needs milliseconds, 1 to ${maxTimeoutMs}\n${usage}`;
      }
      options.timeoutMs = ms;
    } else if (flag === "--only") {
      const names = value();
      if (names === undefined) return `--only needs check names\n${usage}`;
      options.only = names.split(",").filter((name) => name !== "");
      // An empty list would run no check and pass.
      if (options.only.length === 0) return `--only needs check names\n${usage}`;
    } else if (arg.startsWith("-") || url !== undefined) {
      return `unexpected argument ${arg}\n${usage}`;
    } else {
      url = arg;
    }
  }
  if (url === undefined) return usage;
  if (!/^wss?:\/\/[^/]/i.test(url)) return `expected a ws:// or wss:// URL, got ${url}\n${usage}`;
  // What the WebSocket constructor would refuse is a bad argument, not an unreachable server.
  if (url.includes("#")) return `a WebSocket URL has no #fragment, got ${url}\n${usage}`;
  if (!URL.canParse(url)) return `not a URL: ${url}\n${usage}`;
  return { url, verbose, options };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSuiteArguments(argv);
  if (typeof args === "string") {
    console.error(args);
    return 2;
  }
  // On SIGINT, SIGTERM or SIGHUP the run stops and closes the connections of the check running.
  const interrupt = new AbortController();
  onStopSignals(() => interrupt.abort(new Error("interrupted")));
  try {
    const report = await runServerSuite(args.url, {
      ...args.options,
      signal: interrupt.signal,
      onResult: (result) => console.log(formatResult(result, args.verbose)),
    });
    console.log(`${report.passed} passed, ${report.failed} failed`);
    return report.failed > 0 ? 1 : 0;
  } catch (error) {
    if (interrupt.signal.aborted) {
      console.error("interrupted");
      return 1;
    }
    if (error instanceof ServerUnreachableError || error instanceof RangeError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  // Exit explicitly: a server that never closes a socket must not keep the script alive.
  process.exit(await main(process.argv.slice(2)));
}
