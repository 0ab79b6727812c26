// `webwire conformance client` stopped by SIGTERM, Ctrl-C or a closed terminal (SIGHUP) while a
// client runs: the client runs in a process group of its own, out of those signals' reach, so
// the suite stops it before it ends ("interrupted", exit 1). Real processes; not on Windows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { processRuns } from "../testing/process_alive.ts";
import { spawnCli } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

test("conformance client stopped by a signal stops its client too", {
  skip: process.platform === "win32",
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "suite-stop-"));
  try {
    for (const signal of ["SIGHUP", "SIGTERM", "SIGINT"] as const) {
      const pidFile = join(dir, `${signal}.pid`);
      const client = `echo $$ > "${pidFile}"; exec sleep 977`;
      const suite = spawnCli(["conformance", "client", "--", "sh", "-c", client]);
      let pid = 0;
      await until(
        () => {
          try {
            pid = Number(readFileSync(pidFile, "utf8").trim());
          } catch {
            return false;
          }
          return pid > 0;
        },
        "the client started",
        20_000,
      );
      process.kill(suite.child.pid!, signal);
      assert.equal((await suite.exited).code, 1, `${signal}: ${suite.stderr()}`);
      assert.match(suite.stderr(), /interrupted/, signal);
      await until(() => !processRuns(pid), `the client was stopped (${signal})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
