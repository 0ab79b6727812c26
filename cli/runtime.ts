/**
 * Which JavaScript runtime runs the CLI, and how to start another one on a TypeScript entry:
 * Deno and Bun run `.ts` files directly; Node (20 has no TypeScript support) gets an esbuild
 * bundle, which needs the esbuild of a repository checkout (`npm install`).
 *
 * @example
 * ```ts
 * import { currentRuntime } from "./runtime.ts";
 * console.assert(["deno", "bun", "node"].includes(currentRuntime()));
 * ```
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { onStopSignals } from "../conformance/stop_signals.ts";
import { unrefTimer } from "../server/unref_timer.ts";
import { childExit } from "./child_exit.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * A runtime the CLI can serve with.
 *
 * @example
 * ```ts
 * import type { RuntimeName } from "./runtime.ts";
 * const runtime: RuntimeName = "bun";
 * console.assert(runtime === "bun");
 * ```
 */
export type RuntimeName = "deno" | "bun" | "node";

/**
 * The runtime running this code.
 *
 * @example
 * ```ts
 * import { currentRuntime, type RuntimeName } from "./runtime.ts";
 * // `webwire serve --runtime bun` serves in this process only when it runs in Bun already;
 * // otherwise it starts Bun on the CLI's entry (see runInRuntime).
 * const wanted: RuntimeName = "bun";
 * const inProcess = wanted === currentRuntime();
 * console.assert(currentRuntime() === "deno" && !inProcess); // doc tests run in Deno
 * ```
 */
export function currentRuntime(): RuntimeName {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/** A file of the repository, when the CLI runs from a checkout (not from a registry). */
function repositoryFile(path: string): string | undefined {
  const url = new URL(`../${path}`, import.meta.url);
  if (url.protocol !== "file:") return undefined;
  const file = fileURLToPath(url);
  return existsSync(file) ? file : undefined;
}

/** The executable of `runtime`: this process's, the checkout's npm-installed one, or PATH's. */
function executable(runtime: "deno" | "bun"): string {
  if (currentRuntime() === runtime) return process.execPath;
  return repositoryFile(`node_modules/.bin/${runtime}`) ?? runtime;
}

/**
 * Runs `entry` (a TypeScript file of this package that exports `runCli`; run as a script by
 * Deno and Bun) with `args` in `runtime`, with this process's stdio, forwarding Ctrl-C,
 * termination and hang-up; resolves with its exit code (128 + the signal's number if a signal
 * killed it).
 *
 * @throws {CliError} when the runtime cannot be started or (for Node) the bundle not built.
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { runInRuntime } from "./runtime.ts";
 * const running = serveDeno(new Server({ sessionsEnabled: false, onRequest: (r) => r.payload }));
 * // Bun runs the CLI's entry: `webwire call <url> echo hi` prints "hi" and exits with 0.
 * const main = fileURLToPath(new URL("./main.ts", import.meta.url));
 * console.assert((await runInRuntime("bun", main, ["call", running.url, "echo", "hi"])) === 0);
 * await running.close();
 * ```
 */
export async function runInRuntime(
  runtime: RuntimeName,
  entry: string,
  args: readonly string[],
): Promise<number> {
  let command: string[];
  const bundle = runtime === "node" ? await bundleForNode(entry) : undefined;
  // Stopped while bundling: nothing ran yet, as a server stopped before it listens (exit 0).
  if (bundle === null) return ExitCode.Ok;
  if (runtime === "deno") command = [executable("deno"), "run", "-A", entry];
  else if (runtime === "bun") command = [executable("bun"), "run", entry];
  else command = ["node", bundle!];
  const child = spawn(command[0], [...command.slice(1), ...args], { stdio: "inherit" });
  try {
    return await childExit(child, command[0]);
  } finally {
    ignoreSignalsWhileExiting();
    if (bundle !== undefined) rmSync(dirname(bundle), { recursive: true, force: true });
  }
}

/**
 * Keeps ignoring Ctrl-C, SIGTERM and SIGHUP for a moment after the child has exited: the CLI
 * exits with the child's code right after, and a second signal in between (the user pressing
 * Ctrl-C again while the server shuts down; a hang-up, which reaches the child directly too)
 * would otherwise end this process with 130 or 129 instead. The listeners go after a second,
 * for a caller that lives on (they never keep the process alive).
 */
function ignoreSignalsWhileExiting(): void {
  const stopIgnoring = onStopSignals(() => {});
  unrefTimer(setTimeout(stopIgnoring, 1000));
}

/**
 * Bundles `entry` for Node with the checkout's esbuild; resolves with the bundle's path, or with
 * `null` (and nothing left behind) when Ctrl-C, SIGTERM or SIGHUP came meanwhile: bundling
 * takes a second or two, and a synchronous run would let the signal end the CLI with 130, 143
 * or 129 and leave its temporary directory.
 */
async function bundleForNode(entry: string): Promise<string | null> {
  const esbuild = repositoryFile("node_modules/.bin/esbuild");
  if (esbuild === undefined) {
    throw new CliError(
      ExitCode.Usage,
      "--runtime node needs esbuild from a repository checkout (npm install), " +
        "because Node 20 cannot run TypeScript",
    );
  }
  // Watched before anything is made: a signal in between would leave the directory.
  let stopped = false;
  let stopBundler = () => {};
  const stop = () => {
    stopped = true;
    stopBundler();
  };
  const stopListening = onStopSignals(stop);
  try {
    return await bundle(esbuild, entry, () => stopped, (kill) => stopBundler = kill);
  } finally {
    stopListening();
  }
}

/** {@link bundleForNode}'s esbuild run; `null` once `stopped()`, the directory removed. */
async function bundle(
  esbuild: string,
  entry: string,
  stopped: () => boolean,
  onKill: (kill: () => void) => void,
): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), "webwire-cli-"));
  const outfile = join(dir, "webwire.mjs");
  const bundler = spawn(esbuild, [
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    "--log-level=warning",
    `--sourcefile=${basename(entry)}_node_entry.ts`,
    // The bundled CommonJS `ws` calls require() for Node's built-in modules.
    "--banner:js=import { createRequire as __createRequire } from 'node:module'; " +
    "const require = __createRequire(import.meta.url);",
    "--external:bufferutil",
    "--external:utf-8-validate",
    `--outfile=${outfile}`,
  ], { cwd: dirname(entry), stdio: ["pipe", "ignore", "pipe"] });
  onKill(() => bundler.kill());
  if (stopped()) bundler.kill();
  let stderr = "";
  bundler.stderr!.setEncoding("utf8");
  bundler.stderr!.on("data", (chunk: string) => stderr += chunk);
  // An entry of its own: defining import.meta.main would also start every bundled script.
  bundler.stdin!.on("error", () => {}); // an esbuild that failed to start: its error says why
  bundler.stdin!.end(
    `import process from "node:process";\nimport { runCli } from "./${basename(entry)}";\n` +
      "process.exit(await runCli(process.argv.slice(2)));\n",
  );
  const status = await new Promise<number | string>((resolve) => {
    bundler.once("error", (error) => resolve(error.message));
    bundler.once("close", (code) => resolve(code ?? "killed"));
  });
  if (stopped() || status !== 0) rmSync(dir, { recursive: true, force: true });
  if (stopped()) return null;
  if (status !== 0) {
    const reason = typeof status === "string" ? status : stderr;
    throw new CliError(ExitCode.Failure, `bundling for Node failed: ${reason}`);
  }
  return outfile;
}
