// A sweep looks at a bounded number of files; when more sessions expire per sweep interval than
// that bound, expired files must still not pile up without end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { generateSessionKey } from "./session_key.ts";

test("expired sessions do not pile up when more than 1 000 expire per sweep interval", async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-sweep-backlog-"));
  try {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const maxAge = 60_000; // the server then sweeps every 30 s
    const interval = 30_000;
    const manager = new FileSessionManager({ directory: dir, clock: () => now });
    manager.useExpiry({ idleTimeout: 0, maxAge });
    const perInterval = 1500; // 50 logins a second, each client gone at once
    const counts: number[] = [];
    for (let round = 0; round < 12; round++) {
      const creation = Timestamp.fromDate(new Date(now));
      for (let i = 0; i < perInterval; i++) {
        const key = generateSessionKey();
        await manager.onSessionCreated({ key, creation, lastLookup: creation });
        await manager.onSessionReleased(key);
      }
      now += interval;
      await manager.sweepExpired();
      counts.push((await readdir(dir)).length);
    }
    // Steady state: the files of the last few intervals, not a backlog growing every sweep.
    assert.ok(
      counts[11] <= counts[5] + perInterval,
      `files after 6 and 12 sweeps: ${counts[5]} and ${counts[11]} (${counts.join()})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
