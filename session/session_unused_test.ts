// onSessionUnused forgets the session it is given only while the key still has that session
// (same creation time): the server calls it for a session whose store failed or whose
// connection left, and under a key generator that repeats keys the key may be another user's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { MemorySessionManager } from "./memory_session_manager.ts";
import type { Session, SessionManager } from "./session_manager.ts";

const key = "repeated-key";
const ada: Session = {
  key,
  creation: Timestamp.parse("2026-01-01T00:00:00.123456789Z"),
  lastLookup: Timestamp.parse("2026-01-01T00:00:00.123456789Z"),
  info: { user: "ada" },
};
/** What a second create under ada's key carried: one nanosecond later. */
const bob: Session = {
  key,
  creation: Timestamp.parse("2026-01-01T00:00:00.12345679Z"),
  lastLookup: Timestamp.parse("2026-01-01T00:00:00.12345679Z"),
  info: { user: "bob" },
};

async function withManagers(
  run: (manager: Required<Pick<SessionManager, "onSessionUnused">> & SessionManager) => Promise<
    void
  >,
): Promise<void> {
  await run(new MemorySessionManager());
  const directory = await mkdtemp(join(tmpdir(), "webwire-unused-"));
  try {
    await run(new FileSessionManager({ directory, logger: silentLogger, isValidKey: () => true }));
  } finally {
    await rm(directory, { recursive: true });
  }
}

test("another session's key stays stored; the session given is forgotten", async () => {
  await withManagers(async (manager) => {
    const name = manager.constructor.name;
    await manager.onSessionCreated(ada);
    await manager.onSessionUnused(bob);
    const found = await manager.onSessionLookup(key);
    assert.deepEqual(found?.info, { user: "ada" }, `${name}: ada's session stays`);
    await manager.onSessionUnused(ada);
    assert.equal(await manager.onSessionLookup(key), null, `${name}: ada's session is gone`);
    await manager.onSessionUnused(ada); // nothing stored: fine
  });
});

test("the same instant written in another offset is the same session", async () => {
  await withManagers(async (manager) => {
    await manager.onSessionCreated(ada);
    const elsewhere = Timestamp.parse("2026-01-01T02:00:00.123456789+02:00");
    await manager.onSessionUnused({ ...ada, creation: elsewhere });
    assert.equal(await manager.onSessionLookup(key), null, manager.constructor.name);
  });
});

test("file: a corrupt file under the key is moved aside, never taken for the session", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-unused-"));
  try {
    const manager = new FileSessionManager({
      directory,
      logger: silentLogger,
      isValidKey: () => true,
    });
    const session = { ...ada, key: "corrupt-one" };
    await writeFile(join(directory, "corrupt-one.wwrsess"), "not JSON");
    await manager.onSessionUnused(session);
    assert.deepEqual(await readdir(directory), ["corrupt-one.wwrsess.corrupt"]);
  } finally {
    await rm(directory, { recursive: true });
  }
});
