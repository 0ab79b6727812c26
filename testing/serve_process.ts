/**
 * `webwire serve` as a process of its own for tests, run by the runtime that runs the test
 * (Deno or Bun): started with the given arguments, ready when it prints its URL, stopped with
 * a termination signal whose exit code the test can check.
 *
 * @example
 * ```ts
 * import { startServeProcess } from "./serve_process.ts";
 * import { Client } from "../client.ts";
 * const serve = await startServeProcess(["--port", "0"]);
 * const client = new Client(serve.url);
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * console.assert(await serve.stop() === 0); // SIGTERM: a graceful shutdown, exit code 0
 * ```
 * @module
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import process from "node:process";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

/**
 * The command that runs the CLI in this runtime, followed by `args`.
 *
 * @example
 * ```ts
 * import { cliCommand } from "./serve_process.ts";
 * const [, ...args] = cliCommand(["call", "--help"]);
 * console.assert(args.at(-2) === "call" && args.at(-1) === "--help");
 * ```
 */
export function cliCommand(args: readonly string[]): string[] {
  const run = "Bun" in globalThis ? ["run"] : ["run", "-A"];
  return [process.execPath, ...run, main, ...args];
}

/**
 * A running `webwire serve`.
 *
 * @example
 * ```ts
 * import { type ServeProcess, startServeProcess } from "./serve_process.ts";
 * const serve: ServeProcess = await startServeProcess(["--port", "0"]);
 * console.assert(serve.url.startsWith("ws://127.0.0.1:"));
 * console.assert(await serve.stop("SIGINT") === 0);
 * console.assert(serve.output().includes("listening on"));
 * ```
 */
export interface ServeProcess {
  /** The URL it printed: `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** What it printed so far on stdout and stderr. */
  readonly output: () => string;
  /**
   * Sends `signal` (default SIGTERM) by pid, waits for the exit (SIGKILL after 10 s) and
   * resolves with the exit code, or the name of the signal that ended it.
   */
  stop(signal?: "SIGTERM" | "SIGINT"): Promise<number | string>;
}

/**
 * A finished run of the command line.
 *
 * @example
 * ```ts
 * import type { CliRun } from "./serve_process.ts";
 * const ok: CliRun = { code: 0, stdout: "", stderr: "" };
 * console.assert(ok.code === 0);
 * ```
 */
export interface CliRun {
  /** The exit code (-1 when it was killed or did not end within 20 s). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `webwire <args...>` in this runtime to its end (at most 20 s).
 *
 * @example
 * ```ts
 * import { runCli } from "./serve_process.ts";
 * console.assert((await runCli("no-such-command")).code === 2);
 * ```
 */
export function runCli(...args: string[]): Promise<CliRun> {
  const [command, ...rest] = cliCommand(args);
  return new Promise((resolve) => {
    execFile(command, rest, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as { code?: number }).code ?? -1;
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
    });
  });
}

/**
 * Starts `webwire serve` with `args` and resolves once it prints its URL.
 *
 * @throws {Error} with its output when it exits first or prints no URL within 30 s.
 * @example
 * ```ts
 * import { startServeProcess } from "./serve_process.ts";
 * // A bad option: the process exits with 2 before it listens.
 * const error = await startServeProcess(["--port", "x"]).catch((error) => error);
 * console.assert(/exited with 2/.test(error.message));
 * ```
 */
export async function startServeProcess(args: readonly string[]): Promise<ServeProcess> {
  const [command, ...rest] = cliCommand(["serve", ...args]);
  const child = spawn(command, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))
  );
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => output += chunk);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve printed no URL within 30 s:\n${output}`));
    }, 30_000);
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const found = /listening on (ws:\/\/\S+)/.exec(output);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      // By pid: Deno's ChildProcess.kill() would make the exit read as that signal.
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal);
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * A `webwire` process started by {@link spawnCli}: its output so far and its end.
 *
 * @example
 * ```ts
 * import { type CliProcess, spawnCli } from "./serve_process.ts";
 * const run: CliProcess = spawnCli(["--version"]);
 * await run.exited;
 * ```
 */
export interface CliProcess {
  /** The process, to signal it by `child.pid`. */
  readonly child: ChildProcess;
  /** What it printed on stdout so far. */
  stdout(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Starts `webwire <args...>` in this runtime and keeps its output, for tests that act while it
 * runs (signal it, stop its server); {@link runCli} is for a run to its end.
 *
 * @example
 * ```ts
 * import { spawnCli } from "./serve_process.ts";
 * const run = spawnCli(["no-such-command"]);
 * console.assert((await run.exited).code === 2 && run.stderr().includes("no-such-command"));
 * ```
 */
export function spawnCli(args: readonly string[]): CliProcess {
  const [command, ...rest] = cliCommand(args);
  return watchCliProcess(spawn(command, rest, { stdio: ["ignore", "pipe", "pipe"] }));
}

/**
 * Collects the output and the exit of a CLI process started with piped stdout and stderr (by
 * {@link spawnCli}, or by a test that starts it its own way: detached, another runtime).
 *
 * @example
 * ```ts
 * import { spawn } from "node:child_process";
 * import process from "node:process";
 * import { watchCliProcess } from "./serve_process.ts";
 * const run = watchCliProcess(spawn(process.execPath, ["--version"], { stdio: "pipe" }));
 * console.assert((await run.exited).code === 0 && run.stdout().length > 0);
 * ```
 */
export function watchCliProcess(child: ChildProcess): CliProcess {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => stdout += chunk);
  child.stderr!.on("data", (chunk: string) => stderr += chunk);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Registers `before` and `after` hooks of `node:test` that start `webwire serve <args>` for the
 * calling test file (default: on a free port) and stop it (SIGINT) at its end; `started` hears
 * of it once it listens.
 *
 * @example
 * ```ts ignore
 * import { test } from "node:test";
 * import { serveProcessFixture } from "./serve_process.ts";
 * let url: string;
 * serveProcessFixture((served) => url = served.url);
 * test("call echo", async () => console.log(url));
 * ```
 */
export function serveProcessFixture(
  started: (served: ServeProcess) => void,
  args: readonly string[] = ["--port", "0"],
): void {
  let served: ServeProcess | undefined;
  before(async () => {
    served = await startServeProcess(args);
    started(served);
  });
  after(async () => {
    await served?.stop("SIGINT");
  });
}
