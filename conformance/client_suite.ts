/**
 * The live client suite: runs each check of {@link clientChecks} against a WebWire client
 * under test, given as a command that the suite starts with a scenario URL as its last
 * argument. Each check gets a fresh scripted server and a fresh client process.
 *
 * @example
 * ```ts
 * import { formatClientSuiteReport } from "./client_suite.ts";
 * const text = formatClientSuiteReport({
 *   results: [{ name: "heartbeat", passed: true, reason: "", ms: 3000 }],
 *   passed: 1,
 *   failed: 0,
 * });
 * console.assert(text.endsWith("1 passed, 0 failed"));
 * ```
 * @module
 */

import { clientChecks } from "./client_suite_checks.ts";
import { ClientProcess, ClientStartError } from "./client_suite_process.ts";
import { startScriptServer } from "./client_suite_server.ts";
import { ClientCheckFailure } from "./client_suite_support.ts";

/**
 * A check's name and what it checks.
 *
 * @example
 * ```ts
 * import type { ClientCheckInfo } from "./client_suite.ts";
 * const info: ClientCheckInfo = { name: "heartbeat", description: "sends heartbeats" };
 * console.assert(info.name === "heartbeat");
 * ```
 */
export interface ClientCheckInfo {
  /** The check's name (also its scenario path). */
  readonly name: string;
  /** What it checks, one sentence. */
  readonly description: string;
}

/**
 * The checks of the suite, in the order they run.
 *
 * @example
 * ```ts
 * import { clientCheckList } from "./client_suite.ts";
 * console.assert(clientCheckList.some((check) => check.name === "reconnect-restore"));
 * ```
 */
export const clientCheckList: readonly ClientCheckInfo[] = clientChecks.map((check) => ({
  name: check.name,
  description: check.description,
}));

/**
 * Options of {@link runClientSuite}.
 *
 * @example
 * ```ts
 * import type { ClientSuiteOptions } from "./client_suite.ts";
 * const options: ClientSuiteOptions = { command: ["./my-client"], only: ["heartbeat"] };
 * console.assert(options.command.length === 1);
 * ```
 */
export interface ClientSuiteOptions {
  /** The client-under-test program and its arguments; the URL is appended. */
  command: readonly string[];
  /** Runs only the checks with these names (default: all). */
  only?: readonly string[];
  /** Called with each result as soon as its check is done (for live progress). */
  onResult?: (result: ClientCheckResult) => void;
  /**
   * Stops the run when aborted: the clients running are stopped (each runs in a process group
   * of its own, which a Ctrl-C at the terminal does not reach) and the run rejects with the
   * signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * The outcome of one check.
 *
 * @example
 * ```ts
 * import type { ClientCheckResult } from "./client_suite.ts";
 * const r: ClientCheckResult = { name: "heartbeat", passed: false, reason: "no heartbeat", ms: 9 };
 * console.assert(!r.passed);
 * ```
 */
export interface ClientCheckResult {
  /** The check's name. */
  name: string;
  /** Whether the client passed it. */
  passed: boolean;
  /** Why it failed ("" when it passed). */
  reason: string;
  /** How long the check took. */
  ms: number;
}

/**
 * The result of a run.
 *
 * @example
 * ```ts
 * import type { ClientSuiteReport } from "./client_suite.ts";
 * const r: ClientSuiteReport = { results: [], passed: 0, failed: 0 };
 * console.assert(r.failed === 0);
 * ```
 */
export interface ClientSuiteReport {
  /** One result per check run, in order. */
  results: ClientCheckResult[];
  /** Checks passed. */
  passed: number;
  /** Checks failed. */
  failed: number;
}

/**
 * Runs the checks one after another (they measure timing, so never in parallel).
 *
 * @throws {RangeError} for an empty command or an unknown check name in `only`.
 * @throws {ClientStartError} when the command cannot be started at all (not found, not
 * executable); the check that tried has no result.
 * @example
 * ```ts
 * import { formatClientCheckResult, runClientSuite } from "./client_suite.ts";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * // The client under test: this library's program here; any `<command...> <url>` works.
 * const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
 * const report = await runClientSuite({
 *   command: [process.execPath, "run", "-A", program],
 *   only: ["request-error", "server-signal"],
 *   onResult: (result) => console.log(formatClientCheckResult(result)),
 * });
 * console.assert(report.passed === 2 && report.failed === 0);
 * ```
 */
export async function runClientSuite(options: ClientSuiteOptions): Promise<ClientSuiteReport> {
  if (options.command.length === 0) throw new RangeError("expected a client command, got none");
  const known = new Set(clientChecks.map((check) => check.name));
  for (const name of options.only ?? []) {
    if (!known.has(name)) {
      throw new RangeError(`unknown check "${name}"; the checks are: ${[...known].join(", ")}`);
    }
  }
  const selected = options.only === undefined || options.only.length === 0
    ? clientChecks
    : clientChecks.filter((check) => options.only!.includes(check.name));
  const results: ClientCheckResult[] = [];
  const signal = options.signal;
  const clients = new Set<ClientProcess>();
  const stopClients = (): Promise<unknown> =>
    Promise.all([...clients].map((client) => client.stop()));
  signal?.addEventListener("abort", stopClients);
  try {
    for (const check of selected) {
      signal?.throwIfAborted();
      const result = await runCheck(check, options.command, clients, signal);
      signal?.throwIfAborted(); // a check cut short has no result
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    signal?.removeEventListener("abort", stopClients);
  }
  const failed = results.filter((result) => !result.passed).length;
  return { results, passed: results.length - failed, failed };
}

/** Runs one check on a server of its own; its clients are in `clients` while they run. */
async function runCheck(
  check: (typeof clientChecks)[number],
  command: readonly string[],
  clients: Set<ClientProcess>,
  signal: AbortSignal | undefined,
): Promise<ClientCheckResult> {
  const started = performance.now();
  const server = await startScriptServer();
  let reason = "";
  let startError: string | undefined;
  try {
    await check.run({
      server,
      startClient: (scenario) => {
        signal?.throwIfAborted();
        const client = ClientProcess.start(command, server.url(scenario));
        clients.add(client);
        return client;
      },
    });
  } catch (error) {
    reason = error instanceof ClientCheckFailure
      ? error.message
      : `the check itself failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await Promise.all([...clients].map((client) => client.stop()));
    startError = [...clients].find((client) => client.startError !== undefined)?.startError;
    clients.clear();
    await server.close();
  }
  // Not a failure of this check but of every one alike: the run stops, saying why once.
  if (startError !== undefined) throw new ClientStartError(command, startError);
  return {
    name: check.name,
    passed: reason === "",
    reason,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * One report line for a result: `PASS <name>` or `FAIL <name>: <reason>`.
 *
 * @example
 * ```ts
 * import { formatClientCheckResult } from "./client_suite.ts";
 * const line = formatClientCheckResult({ name: "x", passed: false, reason: "why", ms: 1 });
 * console.assert(line === "FAIL x: why");
 * ```
 */
export function formatClientCheckResult(result: ClientCheckResult): string {
  return result.passed ? `PASS ${result.name}` : `FAIL ${result.name}: ${result.reason}`;
}

/**
 * The whole report: one line per check, then exactly `N passed, N failed`.
 *
 * @example
 * ```ts
 * import { formatClientSuiteReport } from "./client_suite.ts";
 * console.assert(formatClientSuiteReport({ results: [], passed: 0, failed: 0 }) === "0 passed, 0 failed");
 * ```
 */
export function formatClientSuiteReport(report: ClientSuiteReport): string {
  return [
    ...report.results.map(formatClientCheckResult),
    `${report.passed} passed, ${report.failed} failed`,
  ].join("\n");
}
