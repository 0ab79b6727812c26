// The built-in session managers refuse to create a session under a key another session has
// (a key generator that repeats keys would hand one user's session to another), and leave that
// session as it is; an expired or corrupt one gives way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { MemorySessionManager } from "./memory_session_manager.ts";
import { SessionKeyTakenError } from "./session_key_taken_error.ts";
import type { Session } from "./session_manager.ts";

const key = "the-repeated-key";

function session(user: string, creation = Timestamp.now()): Session {
  return { key, creation, lastLookup: creation, info: { user } };
}

/** Keys other than the default generator's need the manager's consent. */
function fileManager(directory: string): FileSessionManager {
  return new FileSessionManager({ directory, logger: silentLogger, isValidKey: () => true });
}

function isKeyTaken(error: unknown): boolean {
  return error instanceof SessionKeyTakenError && error.name === "SessionKeyTakenError" &&
    !error.message.includes(key);
}

test("memory: a stored key is refused and its session kept; closed or expired, it is free", () => {
  let now = 1_000_000;
  const manager = new MemorySessionManager({ clock: () => now });
  manager.onSessionCreated(session("ada"));
  assert.throws(() => manager.onSessionCreated(session("bob")), isKeyTaken);
  assert.deepEqual(manager.onSessionLookup(key)?.info, { user: "ada" });

  manager.onSessionClosed(key);
  manager.onSessionCreated(session("cy"));
  assert.deepEqual(manager.onSessionLookup(key)?.info, { user: "cy" });

  manager.useExpiry({ idleTimeout: 1000, maxAge: 0 });
  manager.onSessionReleased(key);
  now += 999;
  assert.throws(() => manager.onSessionCreated(session("dan")), isKeyTaken);
  now += 2;
  manager.onSessionCreated(session("eve")); // expired: replaced
  assert.deepEqual(manager.onSessionLookup(key)?.info, { user: "eve" });
  assert.equal(manager.size, 1);
});

test("file: a key with a file is refused, also by a manager of another process", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-taken-"));
  try {
    const first = fileManager(directory);
    const second = fileManager(directory);
    await first.onSessionCreated(session("ada"));
    const path = join(directory, `${key}.wwrsess`);
    const text = await readFile(path, "utf8");
    for (const manager of [first, second]) {
      await assert.rejects(manager.onSessionCreated(session("bob")), isKeyTaken);
    }
    assert.equal(await readFile(path, "utf8"), text, "the file is left as it was");
    assert.deepEqual(await readdir(directory), [`${key}.wwrsess`], "no temporary file is left");
    assert.deepEqual((await second.onSessionLookup(key))?.info, { user: "ada" });

    await second.onSessionClosed(key);
    await first.onSessionCreated(session("cy"));
    assert.deepEqual((await second.onSessionLookup(key))?.info, { user: "cy" });
  } finally {
    await rm(directory, { recursive: true });
  }
});

test("file: an expired or a corrupt file of the key gives way to the new session", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-taken-"));
  try {
    const manager = fileManager(directory);
    manager.useExpiry({ idleTimeout: 0, maxAge: 60_000 });
    const old = Timestamp.parse("2020-01-01T00:00:00Z");
    await fileManager(directory).onSessionCreated(session("old", old));
    await manager.onSessionCreated(session("bob")); // past its max age: replaced
    assert.deepEqual((await manager.onSessionLookup(key))?.info, { user: "bob" });
    await assert.rejects(manager.onSessionCreated(session("cy")), isKeyTaken);

    await writeFile(join(directory, `${key}.wwrsess`), "not JSON");
    await manager.onSessionCreated(session("dan"));
    assert.deepEqual((await manager.onSessionLookup(key))?.info, { user: "dan" });
    assert.deepEqual((await readdir(directory)).sort(), [
      `${key}.wwrsess`,
      `${key}.wwrsess.corrupt`,
    ]);
  } finally {
    await rm(directory, { recursive: true });
  }
});
