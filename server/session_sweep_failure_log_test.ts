// A sweep that keeps failing (the session directory unreadable) is logged at the 1st, 10th,
// 100th, ... failure, as the server's other store outages are, not once a second for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { startServer } from "../testing/serve.ts";

test("a session sweep failing every time is not logged at every sweep", async () => {
  const base = await mkdtemp(join(tmpdir(), "webwire-sweep-log-"));
  // What readdir fails on as root too (an unreadable directory, EACCES, fails the same way).
  const directory = join(base, "sessions");
  await writeFile(directory, "not a directory");
  const errors: string[] = [];
  const logger = {
    error: (message: unknown) => void errors.push(String(message)),
    warn() {},
    info() {},
    debug() {},
    log() {},
  };
  const running = await startServer({
    logger,
    sessionIdleTimeout: 2000,
    sessionManager: new FileSessionManager({ directory }),
    onRequest: () => "ok",
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 4500)); // about 5 sweeps
    const sweeps = errors.filter((message) => message.includes("sweeping expired sessions"));
    assert.ok(sweeps.length >= 1, "the failure is logged");
    assert.ok(sweeps.length <= 1, `logged ${sweeps.length} times in 4.5 s`);
  } finally {
    await running.close();
    await rm(base, { recursive: true, force: true });
  }
});
