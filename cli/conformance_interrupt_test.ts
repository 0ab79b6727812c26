// `webwire conformance client` stopped by SIGTERM, Ctrl-C or a closed terminal (SIGHUP) while a
// client runs: the client runs in a process group of its own, out of those signals' reach, so
// the suite stops it before it ends ("interrupted", exit 1). Real processes; not on Windows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cliCommand } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

/** Whether the process runs (a zombie, waiting for its parent to read its end, does not). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

test("conformance client stopped by a signal stops its client too", {
  skip: process.platform === "win32",
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "suite-stop-"));
  try {
    for (const signal of ["SIGHUP", "SIGTERM", "SIGINT"] as const) {
      const pidFile = join(dir, `${signal}.pid`);
      const client = `echo $$ > "${pidFile}"; exec sleep 977`;
      const [command, ...rest] = cliCommand(["conformance", "client", "--", "sh", "-c", client]);
      const suite = spawn(command, rest, { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      suite.stdout!.setEncoding("utf8");
      suite.stderr!.setEncoding("utf8");
      suite.stdout!.on("data", (chunk: string) => output += chunk);
      suite.stderr!.on("data", (chunk: string) => output += chunk);
      const exited = new Promise<number | null>((resolve) => suite.once("exit", resolve));
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
      process.kill(suite.pid!, signal);
      assert.equal(await exited, 1, `${signal}: ${output}`);
      assert.match(output, /interrupted/, signal);
      await until(() => !running(pid), `the client was stopped (${signal})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
