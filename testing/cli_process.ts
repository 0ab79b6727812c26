/**
 * The `webwire` command line as a child process for tests: run to its end, or `serve` started
 * until the test stops it. The child runs on the test's own runtime (Deno or Bun).
 *
 * @example
 * ```ts
 * import { runCli } from "./cli_process.ts";
 * const run = await runCli("--help");
 * console.assert(run.code === 0 && run.stdout.includes("webwire"));
 * ```
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

/**
 * How this runtime runs a TypeScript file: the command and its arguments.
 *
 * @example
 * ```ts
 * import { runTs } from "./cli_process.ts";
 * console.assert(runTs("x.ts").at(-1) === "x.ts");
 * ```
 */
export const runTs = (file: string): string[] =>
  "Bun" in globalThis ? [process.execPath, "run", file] : [process.execPath, "run", "-A", file];

/**
 * A finished run of the command line.
 *
 * @example
 * ```ts
 * import type { CliRun } from "./cli_process.ts";
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
 * Runs `webwire <args...>` to its end (at most 20 s).
 *
 * @example
 * ```ts
 * import { runCli } from "./cli_process.ts";
 * console.assert((await runCli("no-such-command")).code === 2);
 * ```
 */
export function runCli(...args: string[]): Promise<CliRun> {
  const [command, ...rest] = runTs(main);
  return new Promise((resolve) => {
    execFile(command, [...rest, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as { code?: number }).code ?? -1;
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
    });
  });
}

/**
 * Starts `webwire serve <args...>`; resolves with the child and the URL it printed once it
 * listens (rejects after 10 s without one).
 *
 * @example
 * ```ts
 * import { startCliServe } from "./cli_process.ts";
 * const { child, url } = await startCliServe("--port", "0");
 * console.assert(url.startsWith("ws://127.0.0.1:"));
 * const exited = new Promise((resolve) => child.once("exit", resolve));
 * child.kill("SIGINT");
 * await exited;
 * ```
 */
export async function startCliServe(
  ...args: string[]
): Promise<{ child: ChildProcess; url: string }> {
  const [command, ...rest] = runTs(main);
  const child = spawn(command, [...rest, "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${output}`)), 10_000);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const found = /listening on (ws:\/\/\S+)/.exec(output);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
  });
  return { child, url };
}
