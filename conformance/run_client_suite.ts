/**
 * Runs the live client suite from the command line:
 *
 * ```sh
 * deno run -A conformance/run_client_suite.ts [--only a,b] [--] <client command...>
 * bun run conformance/run_client_suite.ts [--only a,b] [--] <client command...>
 * ```
 *
 * The client command is started once per check with the scenario URL appended. Prints
 * `PASS <check>` or `FAIL <check>: <reason>` per check and, as its last line,
 * `N passed, N failed`. Exit code 0 when all passed, 1 when any failed, 2 for bad arguments.
 *
 * @example
 * ```ts
 * import { parseClientSuiteArgs } from "./run_client_suite.ts";
 * const args = parseClientSuiteArgs(["--only", "heartbeat", "--", "./client", "-v"]);
 * console.assert(args.only?.[0] === "heartbeat" && args.command.join(" ") === "./client -v");
 * ```
 * @module
 */

import process from "node:process";
import { onStopSignals } from "./stop_signals.ts";
import {
  clientCheckList,
  type ClientSuiteOptions,
  formatClientCheckResult,
  runClientSuite,
} from "./client_suite.ts";

/**
 * Reads `[--only a,b] [--] <command...>`.
 *
 * @throws {RangeError} when no command is given.
 * @example
 * ```ts
 * import { parseClientSuiteArgs } from "./run_client_suite.ts";
 * console.assert(parseClientSuiteArgs(["bun", "client.ts"]).only === undefined);
 * ```
 */
export function parseClientSuiteArgs(args: readonly string[]): ClientSuiteOptions {
  let only: string[] | undefined;
  let index = 0;
  while (index < args.length && args[index].startsWith("--")) {
    const flag = args[index++];
    if (flag === "--") break;
    if (flag === "--only" || flag.startsWith("--only=")) {
      const names = flag === "--only" ? args[index++] : flag.slice("--only=".length);
      only = (names ?? "").split(",").filter((name) => name !== "");
      // Missing or empty: no check would run (or the client command would be taken for one).
      if (only.length === 0) throw new RangeError("--only needs check names");
    } else {
      index--;
      break;
    }
  }
  const command = args.slice(index);
  if (command.length === 0) throw new RangeError("expected the client-under-test command");
  return { command, only };
}

/** The usage text of the script. */
const usage = `usage: run_client_suite.ts [--only check,...] [--] <client command...>
checks:
${clientCheckList.map((check) => `  ${check.name.padEnd(22)} ${check.description}`).join("\n")}`;

if (import.meta.main) {
  let options: ClientSuiteOptions;
  try {
    options = parseClientSuiteArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  // The clients run in process groups of their own, out of a terminal Ctrl-C's reach: on
  // SIGINT, SIGTERM or SIGHUP the suite stops them before the script exits.
  const interrupt = new AbortController();
  onStopSignals(() => interrupt.abort(new Error("interrupted")));
  try {
    const report = await runClientSuite({
      ...options,
      signal: interrupt.signal,
      onResult: (result) => console.log(formatClientCheckResult(result)),
    });
    console.log(`${report.passed} passed, ${report.failed} failed`);
    process.exit(report.failed > 0 ? 1 : 0);
  } catch (error) {
    if (interrupt.signal.aborted) {
      console.error("interrupted");
      process.exit(1);
    }
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
