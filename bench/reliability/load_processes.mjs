// The processes of the reliability load benchmark (bench/reliability/load_measure.mjs): the
// server under test on Bun, Deno or Node (bundled with esbuild), the Bun client processes, and
// reading their stdout line by line. Every process is bounded in time and killed by its pid.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "../bench_support.mjs";

/** The repository's root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
// Inside the repository, so that the bundle's external `ws` resolves from node_modules.
const buildDir = join(root, "dist", "bench_reliability");
const serverScript = "bench/reliability/load_server.ts";

/** The runtimes a server runs on. */
export const runtimes = ["bun", "deno", "deno-tcp", "node"];

/** What the table calls each runtime's server. */
export const runtimeLabels = {
  bun: "Bun",
  deno: "Deno (Deno.serve)",
  "deno-tcp": "Deno (serveDenoTcp)",
  node: "Node (node:http)",
};

/** Bundles the server for Node; call once before `startServer("node", ...)`. */
export async function buildNodeServer() {
  mkdirSync(buildDir, { recursive: true });
  await bundleForNode(serverScript, join(buildDir, "load_server.mjs"));
}

/** The clock the processes share: ms since the epoch, with fractions. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * A child process whose stdout is read as lines. `line(pattern, ms)` resolves with the match
 * of the first line (seen or still to come) matching `pattern`, and rejects when the process
 * exits first or after `ms`.
 */
export function startProcess(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  const lines = [];
  const waiters = new Set();
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    // Bounded: a crashing process may print a lot.
    if (stderr.length < 20_000) stderr += chunk;
  });
  let exitInfo;
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal, at: now() };
      resolve(exitInfo);
    });
  });
  createInterface({ input: child.stdout }).on("line", (text) => {
    lines.push(text);
    for (const waiter of waiters) waiter(text);
  });
  const describe = () => `${name} (${[command, ...args].join(" ")})\nstderr: ${stderr}`;
  return {
    child,
    pid: child.pid,
    lines,
    exited,
    stderr: () => stderr,
    line(pattern, ms = 30_000) {
      const seen = lines.find((text) => pattern.test(text));
      if (seen !== undefined) return Promise.resolve(pattern.exec(seen));
      return new Promise((resolve, reject) => {
        const done = () => {
          waiters.delete(onLine);
          clearTimeout(timer);
        };
        const onLine = (text) => {
          const match = pattern.exec(text);
          if (match === null) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line ${pattern} within ${ms} ms from ${describe()}`));
        }, ms);
        waiters.add(onLine);
        void exited.then((info) => {
          if (!waiters.has(onLine)) return;
          done();
          reject(
            new Error(`exited (${info.code ?? info.signal}) before ${pattern}: ${describe()}`),
          );
        });
      });
    },
    /** Sends `signal` by pid unless it has exited; resolves with the exit. */
    kill(signal = "SIGKILL") {
      try {
        if (exitInfo === undefined) process.kill(child.pid, signal);
      } catch (error) {
        // Exited, and its exit event not handled yet.
        if (error.code !== "ESRCH") throw error;
      }
      return exited;
    },
    /** Whether it has exited. */
    get done() {
      return exitInfo !== undefined;
    },
  };
}

/**
 * Starts the server on `runtime` with `args` (`--port`, `--session-dir`) and resolves once it
 * listens, with its URL and port.
 */
export async function startServer(runtime, args = []) {
  const all = [...args, "--lifetime", "600"];
  const [command, commandArgs] = runtime === "bun"
    ? [bin("bun"), [serverScript, ...all]]
    : runtime === "deno"
    ? [bin("deno"), ["run", "-A", serverScript, ...all]]
    : runtime === "deno-tcp"
    ? [bin("deno"), ["run", "-A", serverScript, "--tcp", ...all]]
    : [process.execPath, [join(buildDir, "load_server.mjs"), ...all]];
  const server = startProcess(`${runtime} server`, command, commandArgs);
  const [, url] = await server.line(/^READY (\S+) \d+$/);
  return { ...server, url, port: Number(new URL(url).port) };
}

/** Starts one of the Bun client scripts of this folder with `args`. */
export function startClients(script, args) {
  return startProcess(script, bin("bun"), [`bench/reliability/${script}`, ...args]);
}

/** Parses the JSON after a line's tag (`RESULT {...}`). */
export function jsonAfter(match) {
  return JSON.parse(match[1]);
}

/** Resolves as `promise` does, or with `null` after `ms` (and leaves no timer behind). */
export function within(promise, ms) {
  let timer;
  const late = new Promise((resolve) => timer = setTimeout(() => resolve(null), ms));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Waits `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
