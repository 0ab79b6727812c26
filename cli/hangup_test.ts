// SIGHUP (a closed terminal, `kill -HUP`) to a CLI process that runs the command in a child
// (serve --runtime, the npm launcher webwire.mjs) reaches the child too: it used to end the
// parent alone and leave the child running with no parent, a server still listening.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startServer } from "../testing/serve.ts";
import { processRuns } from "../testing/process_alive.ts";
import { type CliProcess, spawnCli, watchCliProcess } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

const skip = process.platform !== "linux"; // ps --ppid and /proc
const other = "Bun" in globalThis ? "deno" : "bun";
const launcher = fileURLToPath(new URL("./webwire.mjs", import.meta.url));

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  const ps = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.trim() !== "").map(Number);
}

/** Hangs up `run` once `ready` holds; its exit and whether its child outlived it. */
async function hangUp(run: CliProcess, ready: () => boolean): Promise<unknown> {
  const children: number[] = [];
  try {
    await until(ready, "the command runs", 20_000);
    children.push(...childrenOf(run.child.pid!));
    assert.equal(children.length, 1, `one child of ${run.child.pid}`);
    process.kill(run.child.pid!, "SIGHUP");
    const { code, signal } = await run.exited;
    await until(() => !processRuns(children[0]), "the child ended", 5000).catch(() => {});
    return { exit: code ?? signal, childRuns: processRuns(children[0]) };
  } finally {
    for (const pid of [run.child.pid!, ...children]) {
      if (processRuns(pid)) process.kill(pid, "SIGKILL");
    }
    await run.exited;
  }
}

test("SIGHUP to serve --runtime ends its child too (exit 129)", { skip }, async () => {
  const run = spawnCli(["serve", "--port", "0", "--runtime", other]);
  const outcome = await hangUp(run, () => run.stdout().includes("listening on"));
  assert.deepEqual(outcome, { exit: 129, childRuns: false }, run.stderr());
});

test("SIGHUP to the npm launcher ends the command it runs too", { skip }, async () => {
  const running = await startServer({ sessionsEnabled: false, onRequest: (r) => r.payload });
  try {
    const child = spawn("node", [launcher, "listen", running.url, "--request", "echo=up"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run = watchCliProcess(child);
    const outcome = await hangUp(run, () => run.stdout().includes("reply to echo: up"));
    assert.deepEqual(outcome, { exit: 129, childRuns: false }, run.stderr());
  } finally {
    await running.close();
  }
});
