/**
 * The live server suite: checks a running WebWire v2 server at the wire level, with raw bytes
 * over a plain standard `WebSocket`, in the spirit of Autobahn|Testsuite. The server must
 * implement the conformance service (see `conformance/README.md`, "Live server suite"). Each
 * check opens its own connections and has a deadline, so a hanging server fails checks instead
 * of hanging the suite. Informational checks test behaviour the protocol allows but does not
 * require; they are reported and never counted as failures.
 *
 * Run it as a script with `conformance/run_server_suite.ts`.
 *
 * @example
 * ```ts
 * import { serverCheckNames } from "./server_suite.ts";
 * console.assert(serverCheckNames.includes("accept-conf"));
 * ```
 * @module
 */

import { concurrencyChecks } from "./server_suite_checks_concurrency.ts";
import { requestChecks } from "./server_suite_checks_requests.ts";
import { robustnessChecks } from "./server_suite_checks_robustness.ts";
import { sessionChecks } from "./server_suite_checks_sessions.ts";
import { signalChecks } from "./server_suite_checks_signals.ts";
import { timeoutChecks } from "./server_suite_checks_timeouts.ts";
import { shutdownChecks } from "./server_suite_checks_shutdown.ts";
import {
  CheckContext,
  CheckFailure,
  CheckSkipped,
  type ServerCheck,
  SuiteConnection,
} from "./server_suite_checks_support.ts";

const serverChecks: readonly ServerCheck[] = [
  ...requestChecks,
  ...signalChecks,
  ...sessionChecks,
  ...concurrencyChecks,
  ...robustnessChecks,
  ...timeoutChecks,
  // Last: the server is gone afterwards.
  ...shutdownChecks,
];

/**
 * The names of every check of the suite, in the order they run and are reported.
 *
 * @example
 * ```ts
 * import { serverCheckNames } from "./server_suite.ts";
 * console.assert(new Set(serverCheckNames).size === serverCheckNames.length);
 * ```
 */
export const serverCheckNames: readonly string[] = serverChecks.map((check) => check.name);

/**
 * The names of the informational checks (reported, never counted as failures).
 *
 * @example
 * ```ts
 * import { informationalCheckNames } from "./server_suite.ts";
 * console.assert(informationalCheckNames.includes("sleep-does-not-block"));
 * ```
 */
export const informationalCheckNames: readonly string[] = serverChecks
  .filter((check) => check.informational === true).map((check) => check.name);

/**
 * Options of {@link runServerSuite}.
 *
 * @example
 * ```ts
 * import type { ServerSuiteOptions } from "./server_suite.ts";
 * const options: ServerSuiteOptions = { timeoutMs: 1000, only: ["accept-conf"] };
 * console.assert(options.only?.length === 1);
 * ```
 */
export interface ServerSuiteOptions {
  /** How long one step may take (a connect, one awaited message, a close); default 2000 ms. */
  timeoutMs?: number;
  /** Deadline of a whole check; default five steps (`5 * timeoutMs`) plus one second. */
  checkTimeoutMs?: number;
  /** Runs only the checks of these names (unknown names are an error). */
  only?: readonly string[];
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void;
  /**
   * Begins the graceful shutdown of the server under test and resolves once it has begun (not
   * when it is done). Given, the `graceful-shutdown` check runs last and uses it; without it,
   * that check is skipped.
   */
  shutdown?: () => void | Promise<void>;
  /**
   * Stops the run when aborted (Ctrl-C at the CLI): the check running has its connections
   * closed, each with a 1000 close that is waited for up to one step's timeout (so that the
   * server under test sees the suite leave, not its connections drop), and the run rejects with
   * the signal's reason; the check has no result.
   */
  signal?: AbortSignal;
}

/**
 * The outcome of one check. `passed` is whether the server behaved as checked; for an
 * informational check it says whether the optional behaviour was seen. A skipped check (one
 * that could not run against this server as configured, see `detail`) has `passed` true and
 * `skipped` true, and counts neither as passed nor as failed.
 *
 * @example
 * ```ts
 * import type { CheckResult } from "./server_suite.ts";
 * const r: CheckResult = { name: "accept-conf", passed: true, detail: "v2.0", informational: false };
 * console.assert(r.passed);
 * ```
 */
export interface CheckResult {
  /** The check's name. */
  name: string;
  /** Whether the check passed. */
  passed: boolean;
  /** What was seen (on a pass) or what went wrong (on a failure). */
  detail: string;
  /** True when the result does not count towards `passed` and `failed` of the report. */
  informational: boolean;
  /** True when the check was not run (`detail` says why); it counts neither way either. */
  skipped?: boolean;
  /** How long the check took, in milliseconds. */
  durationMs?: number;
}

/**
 * The outcome of a suite run: one result per check in run order, and the totals of the
 * mandatory (non-informational) checks.
 *
 * @example
 * ```ts
 * import type { SuiteReport } from "./server_suite.ts";
 * const report: SuiteReport = {
 *   url: "ws://127.0.0.1:1/",
 *   results: [],
 *   passed: 0,
 *   failed: 0,
 *   skipped: 0,
 * };
 * console.assert(report.failed === 0);
 * ```
 */
export interface SuiteReport {
  /** The server's URL. */
  url: string;
  /** One entry per check run. */
  results: CheckResult[];
  /** Mandatory checks that passed. */
  passed: number;
  /** Mandatory checks that failed. */
  failed: number;
  /** Checks skipped (not run against this server as configured). */
  skipped: number;
}

/**
 * The server could not be reached at all (no WebSocket upgrade), so no check was run.
 *
 * @example
 * ```ts
 * import { ServerUnreachableError } from "./server_suite.ts";
 * const error = new ServerUnreachableError("ws://127.0.0.1:1/", "refused");
 * console.assert(error.message.includes("ws://127.0.0.1:1/"));
 * ```
 */
export class ServerUnreachableError extends Error {
  /** The URL that could not be reached. */
  readonly url: string;
  /** Creates the error. */
  constructor(url: string, cause: string) {
    super(`cannot reach a WebSocket server at ${url}: ${cause}`);
    this.name = "ServerUnreachableError";
    this.url = url;
  }
}

/** Settles as `promise` does, or rejects with the reason of `signal` once that is aborted. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) stop();
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

async function runCheck(
  check: ServerCheck,
  url: string,
  timeoutMs: number,
  checkTimeoutMs: number,
  shutdown: ServerSuiteOptions["shutdown"],
  signal: AbortSignal | undefined,
): Promise<CheckResult> {
  const context = new CheckContext(url, timeoutMs, shutdown);
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CheckFailure(`check not finished within ${checkTimeoutMs} ms`)),
      checkTimeoutMs,
    );
  });
  let passed = true;
  let skipped = false;
  let detail: string;
  try {
    detail = await unlessAborted(Promise.race([check.run(context), deadline]), signal);
  } catch (error) {
    skipped = error instanceof CheckSkipped;
    passed = skipped;
    const expected = error instanceof CheckFailure || error instanceof CheckSkipped;
    detail = expected ? error.message : `check crashed: ${error}`;
  } finally {
    clearTimeout(timer);
    context.closeAll();
  }
  if (signal?.aborted === true) {
    // The process may end next: the closes reach the server first.
    await context.closedWithin(timeoutMs);
    throw signal.reason;
  }
  return {
    name: check.name,
    passed,
    detail,
    informational: check.informational === true,
    ...(skipped ? { skipped } : {}),
    durationMs: Date.now() - started,
  };
}

/**
 * Runs the suite against the server at `url` (`ws://` or `wss://`), one check after another.
 *
 * @throws {ServerUnreachableError} when not even a WebSocket upgrade succeeds.
 * @throws {RangeError} for a bad URL or an unknown name in `only`.
 * @example
 * ```ts
 * import { formatResult, runServerSuite } from "./server_suite.ts";
 * import { conformanceService } from "./service.ts";
 * import { Server } from "../server.ts";
 * import { serveDeno } from "../adapters/deno.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * // The implementation under test, serving the conformance service (this library's here).
 * const sessionManager = new MemorySessionManager();
 * const server = new Server({ ...conformanceService(), sessionManager });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const report = await runServerSuite(running.url, {
 *   timeoutMs: 1000,
 *   only: ["accept-conf", "reply-ids", "error-reply", "session-restore"],
 *   onResult: (result) => console.log(formatResult(result)),
 * });
 * console.assert(report.passed === 4 && report.failed === 0);
 * await running.close();
 * ```
 */
export async function runServerSuite(
  url: string,
  options: ServerSuiteOptions = {},
): Promise<SuiteReport> {
  if (!/^wss?:\/\//i.test(url)) throw new RangeError(`expected a ws:// or wss:// URL, got ${url}`);
  const timeoutMs = options.timeoutMs ?? 2000;
  const checkTimeoutMs = options.checkTimeoutMs ?? 5 * timeoutMs + 1000;
  const checks = selectChecks(options.only);
  const probe = SuiteConnection.open(url, timeoutMs);
  try {
    (await unlessAborted(probe, options.signal)).close();
  } catch (error) {
    if (options.signal?.aborted === true) {
      probe.then((connection) => connection.close(), () => {});
      throw options.signal.reason;
    }
    throw new ServerUnreachableError(url, error instanceof Error ? error.message : String(error));
  }
  const report: SuiteReport = { url, results: [], passed: 0, failed: 0, skipped: 0 };
  for (const check of checks) {
    options.signal?.throwIfAborted();
    const result = await runCheck(
      check,
      url,
      timeoutMs,
      checkTimeoutMs,
      options.shutdown,
      options.signal,
    );
    report.results.push(result);
    if (result.skipped === true) report.skipped++;
    else if (!result.informational) result.passed ? report.passed++ : report.failed++;
    options.onResult?.(result);
  }
  return report;
}

function selectChecks(only: readonly string[] | undefined): readonly ServerCheck[] {
  if (only === undefined) return serverChecks;
  const known = new Set(serverChecks.map((check) => check.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new RangeError(`unknown check names: ${unknown.join(", ")}`);
  return serverChecks.filter((check) => only.includes(check.name));
}

/**
 * The report line of one result: `PASS name`, `FAIL name: detail`, `SKIP name: detail`, or for
 * an informational check `INFO name: yes|no, detail`. With `verbose`, a pass shows its detail
 * too (`PASS name: detail`).
 *
 * @example
 * ```ts
 * import { formatResult } from "./server_suite.ts";
 * const line = formatResult({ name: "x", passed: false, detail: "no reply", informational: false });
 * console.assert(line === "FAIL x: no reply");
 * ```
 */
export function formatResult(result: CheckResult, verbose = false): string {
  if (result.skipped === true) return `SKIP ${result.name}: ${result.detail}`;
  if (result.informational) {
    return `INFO ${result.name}: ${result.passed ? "yes" : "no"}, ${result.detail}`;
  }
  if (!result.passed) return `FAIL ${result.name}: ${result.detail}`;
  return verbose ? `PASS ${result.name}: ${result.detail}` : `PASS ${result.name}`;
}
