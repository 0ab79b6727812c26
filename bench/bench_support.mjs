// What the benchmark suites share: their measure scripts' command line, running a measure
// script from its report, medians over rounds, and bundling a TypeScript entry for Node.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A binary of node_modules/.bin (deno, bun, ...). */
export const bin = (name) => join(root, "node_modules", ".bin", name);

/**
 * A measure script's arguments: `--quick`, `--rounds N` (1 to 10, default 3; 1 when quick),
 * `--only a,b` (targets) and, where `ratioRoundsDefault` is given (the e2e suite),
 * `--ratio-rounds N` (0 to 60, default `ratioRoundsDefault`; 0 when quick). Throws on anything
 * else.
 */
export function measureArgs(args, ratioRoundsDefault = undefined) {
  const quick = args.includes("--quick");
  const option = (name) => {
    const i = args.indexOf(name);
    if (i >= 0 && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
      throw new Error(`${name} takes a value`);
    }
    return i < 0 ? null : args[i + 1];
  };
  const valued = [
    "--rounds",
    "--only",
    ...(ratioRoundsDefault === undefined ? [] : ["--ratio-rounds"]),
  ];
  for (const [i, a] of args.entries()) {
    if (a === "--quick" || valued.includes(a)) continue;
    if (i > 0 && valued.includes(args[i - 1])) continue;
    throw new Error(`unknown argument ${a}`);
  }
  const only = option("--only")?.split(",") ?? null;
  const rounds = quick ? 1 : Number(option("--rounds") ?? 3);
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) {
    throw new Error(`--rounds takes 1 to 10`);
  }
  if (quick && args.includes("--ratio-rounds")) throw new Error(`--quick runs no ratio rounds`);
  const ratioRounds = quick ? 0 : Number(option("--ratio-rounds") ?? ratioRoundsDefault ?? 0);
  if (!(Number.isInteger(ratioRounds) && ratioRounds >= 0 && ratioRounds <= 60)) {
    throw new Error(`--ratio-rounds takes 0 to 60`);
  }
  return { quick, only, rounds, ratioRounds };
}

/**
 * Runs `node bench/<suite>/measure.mjs [--quick]` and returns the JSON document it prints as
 * its last line; `duration` says how long a full run takes, for the progress line.
 */
export function runMeasure(suite, quick, duration, timeoutMinutes) {
  const script = `bench/${suite}/measure.mjs`;
  console.error(`node ${script}${quick ? " --quick (seconds)" : ` (3 rounds, ${duration})`}`);
  const result = spawnSync(process.execPath, [script, ...(quick ? ["--quick"] : [])], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMinutes * 60 * 1000,
  });
  if (result.error) throw new Error(`the ${suite} bench could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`the ${suite} bench failed with exit code ${result.status}`);
  }
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

/** The median of the values that are numbers, or null when there are none. */
export function median(values) {
  const sorted = values.filter((v) => v !== null && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Bundles a TypeScript entry (a path from the repository's root) into `outfile` for the
 * machine's Node with esbuild; the `external` packages (by default `ws`) stay imports from
 * node_modules, as a Node app usually runs them.
 */
export async function bundleForNode(entry, outfile, external = ["ws"]) {
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    external,
  });
}

/**
 * Collects a child process's stdout and resolves with the JSON object on its last line once it
 * exits; rejects with its output when it exits non-zero or printed no JSON. The child is killed
 * after `limitMs`, leaves `children` (the runner's set of live children) when it exits, and with
 * `echoStderr` its stderr goes on to ours as it comes.
 */
export function lastJsonLine(child, { what, limitMs, children, echoStderr = false }) {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (echoStderr) process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("exit", (code, signal) => {
      children?.delete(child);
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        reject(new Error(`${what} failed (${code ?? signal}):\n${stderr}${stdout}`));
      } else resolve(JSON.parse(line));
    });
  });
}

/**
 * Waits for a spawned server's `READY <url> <pid>` line on stdout and resolves with
 * `{ child, url, pid }`; rejects if it exits first or takes over `startMs`. Once ready, an exit
 * the runner did not ask for (`stopServer`) ends the run: its figures would be wrong. `children`
 * (the runner's set of live children) loses it when it exits.
 */
export function whenReady(child, { what, children, startMs = 20_000 }) {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start in ${startMs / 1000} s`)),
      startMs,
    );
    child.on("exit", (code) => {
      children?.delete(child);
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code} before it was ready`));
    });
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /^READY (\S+) (\d+)$/m.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.on("exit", (code, signal) => {
        children?.delete(child);
        if (!child.stopping) {
          process.stderr.write(`${what} exited unexpectedly (${code ?? signal})\n`);
          process.exit(1);
        }
      });
      resolve({ child, url: match[1], pid: Number(match[2]) });
    });
  });
}

/** Stops a server of `whenReady`: SIGTERM, then SIGKILL after 3 s; resolves once it exited. */
export function stopServer(server) {
  server.child.stopping = true;
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.kill("SIGTERM");
    setTimeout(() => server.child.kill("SIGKILL"), 3000).unref();
  });
}
