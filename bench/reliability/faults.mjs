// The fault part of the reliability suite (#10, items a, b and f) on Bun, Deno and Node:
// memory per idle connection against the raw echo (idle_memory.mjs), fuzzing a live server
// with mutated frames beside well-behaved neighbours (fuzz.ts) and a slow reader (slow_reader.ts).
// Builds the Node bundles into dist/bench/, runs each part per runtime and prints their JSON as
// one line, last. Progress goes to stderr. Linux only (/proc).
//
// Usage: node bench/reliability/faults.mjs [--quick] [--seed S] [--frames N] [--connections N]
//   [--only bun,deno,deno-tcp,node] [--parts idle,fuzz,slow]   (deno-tcp: serveDenoTcp)
//   full (default): 10 000 idle connections, 1 000 000 frames per runtime, the server's default
//                   maxSendBuffer (8 MiB) and closeTimeout (5 s); about 12 minutes
//   --quick         200 connections, 20 000 frames per runtime, maxSendBuffer 1 MiB and
//                   closeTimeout 1 s; under a minute (the test suite's version)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "../bench_support.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const quick = args.includes("--quick");
const seed = Number(option("--seed", 1));
const frames = Number(option("--frames", quick ? 20_000 : 1_000_000));
const connections = Number(option("--connections", quick ? 200 : 10_000));
const runtimes = option("--only", "bun,deno,deno-tcp,node").split(",");
const parts = option("--parts", "idle,fuzz,slow").split(",");
const slowOptions = quick
  ? ["--max-send-buffer", String(1024 * 1024), "--close-timeout", "1000"]
  : ["--max-send-buffer", String(8 * 1024 * 1024), "--close-timeout", "5000"];

for (const name of ["faults_server", "fuzz", "slow_reader"]) {
  await bundleForNode(
    join("bench", "reliability", `${name}.ts`),
    join(root, "dist", "bench", `${name}.mjs`),
  );
}

/** Runs a Node script from the root and returns the JSON of its last line. */
function runJson(script, scriptArgs, what) {
  const started = Date.now();
  console.error(`${what} ...`);
  const result = spawnSync(process.execPath, [script, ...scriptArgs], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  if (result.error) throw new Error(`${what} could not run: ${result.error.message}`);
  const last = result.stdout.trim().split("\n").pop();
  if (result.status !== 0 || !last?.startsWith("{")) {
    throw new Error(`${what} failed with exit code ${result.status}:\n${result.stdout}`);
  }
  console.error(`${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return JSON.parse(last);
}

/** The runtime whose raw echo is the floor: Deno's for both Deno adapters. */
const rawOf = (runtime) => runtime === "deno-tcp" ? "deno" : runtime;

const out = { date: new Date().toISOString(), quick, seed, frames, connections };
if (parts.includes("idle")) {
  const only = runtimes.flatMap((r) => [`webwire-${r}`, `raw-${rawOf(r)}`]).join(",");
  out.idle = runJson(
    "bench/reliability/idle_memory.mjs",
    [String(connections), "--only", only, ...(quick ? ["--quick"] : [])],
    `idle memory, ${connections} connections`,
  );
}
if (parts.includes("fuzz")) {
  out.fuzz = runtimes.map((runtime) =>
    runJson(
      "dist/bench/fuzz.mjs",
      ["--runtime", runtime, "--frames", String(frames), "--seed", String(seed)],
      `fuzz on ${runtime}, ${frames} frames`,
    )
  );
}
if (parts.includes("slow")) {
  out.slowReader = runtimes.map((runtime) =>
    runJson(
      "dist/bench/slow_reader.mjs",
      ["--runtime", runtime, "--seed", String(seed), ...slowOptions],
      `slow reader on ${runtime}`,
    )
  );
}
console.log(JSON.stringify(out));
