// Ctrl-C, SIGTERM or SIGHUP while `serve --runtime node` bundles the CLI for Node (a second or
// two, before it listens) stops it with 0, as before any other listen, and leaves no temporary
// directory behind: a synchronous esbuild run let the signal end the CLI with 143, the
// directory with its bundle left in the system's temporary folder (SIGHUP, unheard, with 129).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cliCommand, watchCliProcess } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`${signal} while serve --runtime node bundles: exit 0, no directory left`, {
    skip: process.platform === "win32",
  }, async () => {
    const temp = await mkdtemp(join(tmpdir(), "webwire-bundle-stop-"));
    const [command, ...args] = cliCommand(["serve", "--port", "0", "--runtime", "node"]);
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TMPDIR: temp },
    });
    const run = watchCliProcess(child);
    try {
      // The bundle's directory is made as bundling starts.
      await until(async () => (await readdir(temp)).length > 0, "bundling started", 20_000);
      process.kill(child.pid!, signal);
      const { code, signal: killedBy } = await run.exited;
      assert.deepEqual([code, killedBy], [0, null], run.stderr());
      assert.doesNotMatch(run.stdout(), /listening on/);
      assert.deepEqual(await readdir(temp), []);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
      await run.exited;
      await rm(temp, { recursive: true, force: true });
    }
  });
}
