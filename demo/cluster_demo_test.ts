/**
 * Runs the cluster demo (`npm run demo:cluster`) as a subprocess in the runtime that runs this
 * test (Deno or Bun) and checks its exit code and the key lines of its transcript; and that
 * without redis-server it exits non-zero with one line saying how to install it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function runClusterDemo(
  env: Record<string, string> = {},
): Promise<{ status: number | null; output: string; ms: number }> {
  const isBun = "Bun" in globalThis;
  const args = isBun ? ["run", "demo/cluster.ts"] : ["run", "-A", "demo/cluster.ts"];
  const started = Date.now();
  // Asynchronous, so that the test runner stays responsive while the demo runs.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => output += chunk);
  child.stderr!.on("data", (chunk: string) => output += chunk);
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) => {
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output, ms: Date.now() - started });
    });
  });
}

test("the cluster demo runs every step on three runtimes, checks it and exits 0", async () => {
  const { status, output, ms } = await runClusterDemo();
  assert.equal(status, 0, output);
  assert.doesNotMatch(output, /^ {2}FAIL /m);
  const sections = [...output.matchAll(/^== (.+)$/gm)].map((match) => match[1]);
  assert.deepEqual(sections, [
    "A Redis and three nodes, one per runtime",
    "Login on node-1, restore on node-2",
    "A client hops between nodes",
    "The session limit counts every node (maxSessionConnections 2)",
    "A signal to the session from a node that holds none of it",
    "A topic publish crossing nodes",
    "node-1 (Deno) killed with SIGKILL; the session lives on",
    "Signals sent while ada is away wait in Redis, replayed in order on restore",
    "Summary",
  ]);
  for (
    const line of [
      "node-1  Deno, serveDeno",
      "node-2  Bun, serveBun",
      "node-3  Node, serveNode",
      "node-3 restored session",
      "MaxSessionConnectionsError",
      "node-3 refuses a third connection although it holds none itself",
      "it reached the laptop on node-1",
      "it reached the phone on node-2",
      "the subscriber on node-2 got it",
      "the subscriber on node-3 got it",
      "its slots are free within the node TTL (1500 ms",
      `ada's laptop on node-2  <- "missed 1", "missed 2", "missed 3"`,
      "the three kept signals arrived after the restore, in order",
    ]
  ) {
    assert.ok(output.includes(line), `missing from the transcript: ${line}\n${output}`);
  }
  // The session made on node-1 is the one restored on every other node, after every hop.
  const key = /node-1 created session (\S+),/.exec(output)?.[1];
  assert.ok(key !== undefined, output);
  assert.equal(output.split(`restored session ${key} (made on node-1)`).length - 1, 4, output);
  assert.match(output, /all \d+ checks passed\s*$/);
  assert.ok(ms < 30_000, `the demo took ${ms} ms`);
});

test("without redis-server the cluster demo exits 3 with a one-line install hint", async () => {
  const empty = mkdtempSync(join(tmpdir(), "webwire-no-redis-"));
  try {
    const { status, output } = await runClusterDemo({ PATH: empty });
    assert.equal(status, 3, output);
    assert.equal(output.trim().split("\n").length, 1, output);
    assert.match(output, /redis-server is not installed: install it with `apt-get install/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
