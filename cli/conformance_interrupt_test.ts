// `webwire conformance client` stopped by SIGTERM, Ctrl-C or a closed terminal (SIGHUP) while a
// client runs: the client runs in a process group of its own, out of those signals' reach, so
// the suite stops it before it ends ("interrupted", exit 1). `conformance server` stopped the
// same way ends the same way, and closes its connections to the server under test first (1000)
// rather than dropping them. Real processes; not on Windows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Connection } from "../server/connection.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import { processRuns } from "../testing/process_alive.ts";
import { startServer } from "../testing/serve.ts";
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

test("conformance server stopped by a signal closes its connections and says so", {
  skip: process.platform === "win32",
}, async () => {
  // A server that holds every request: the suite's check waits for its replies.
  const held: { connection: Connection; release: () => void }[] = [];
  const ended = new Map<Connection, DisconnectReason>();
  const running = await startServer({
    sessionsEnabled: false,
    onRequest: (request) =>
      new Promise((resolve) => {
        held.push({ connection: request.connection, release: () => resolve(request.payload) });
      }),
    onClientDisconnected: (connection, reason) => void ended.set(connection, reason),
  });
  try {
    for (const signal of ["SIGHUP", "SIGTERM", "SIGINT"] as const) {
      const before = held.length;
      const suite = spawnCli([
        "conformance",
        "server",
        running.url,
        ...["--only", "reply-ids", "--timeout", "60000"],
      ]);
      await until(() => held.length > before, "the check sent its requests", 20_000);
      const { connection } = held[before];
      process.kill(suite.child.pid!, signal);
      assert.deepEqual(
        await suite.exited,
        { code: 1, signal: null },
        `${signal}: ${suite.stderr()}`,
      );
      assert.equal(suite.stderr(), "webwire conformance: interrupted\n", signal);
      assert.equal(suite.stdout(), "", `${signal}: no result for the check cut short`);
      await until(() => ended.has(connection), `the server saw the connection end (${signal})`);
      // Closed by the suite, not dropped with its process (1006).
      assert.equal(ended.get(connection)?.kind, "client-closed", signal);
      assert.equal(ended.get(connection)?.code, 1000, signal);
    }
  } finally {
    for (const { release } of held) release();
    await running.close();
  }
});
