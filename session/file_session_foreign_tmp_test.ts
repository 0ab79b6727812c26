// The crash clean-up removes only the manager's own temporary files, not every old `.*.tmp`
// that happens to be in the directory (sessionDirectory may be a directory shared with others).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { generateSessionKey } from "./session_key.ts";

test("files of others named .*.tmp are left alone by the first write and by sweeps", async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-foreign-tmp-"));
  try {
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const name of [".backup.tmp", ".npm-install.tmp"]) {
      await writeFile(join(dir, name), "someone else's data");
      await utimes(join(dir, name), hourAgo, hourAgo);
    }
    const manager = new FileSessionManager({ directory: dir });
    manager.useExpiry({ idleTimeout: 60_000, maxAge: 0 });
    const now = Timestamp.now();
    await manager.onSessionCreated({ key: generateSessionKey(), creation: now, lastLookup: now });
    await manager.sweepExpired();
    const names = await readdir(dir);
    assert.ok(names.includes(".backup.tmp") && names.includes(".npm-install.tmp"), names.join());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
