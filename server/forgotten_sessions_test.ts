// detachForgottenSessions: every held session the manager no longer has is detached from all
// its connections, those it still has are kept, failed lookups keep theirs and are logged once,
// and no more than a few lookups run at a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Timestamp } from "../protocol/timestamp.ts";
import type { SessionLookupResult, SessionManager } from "../session/session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { RegistryHolder } from "../testing/registry_holder.ts";
import { detachForgottenSessions } from "./forgotten_sessions.ts";
import { SessionCloses } from "./session_closes.ts";
import { SessionRegistry } from "./session_registry.ts";

/** The memory manager, slow, counting lookups at once, failing for keys that start with "x". */
class CountingManager implements SessionManager {
  readonly memory = new MemorySessionManager();
  running = 0;
  mostAtOnce = 0;
  onSessionCreated = (session: Parameters<SessionManager["onSessionCreated"]>[0]) =>
    this.memory.onSessionCreated(session);
  onSessionClosed = (key: string) => this.memory.onSessionClosed(key);
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.running);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.running--;
    if (key.startsWith("x")) throw new Error(`lookup of ${key} failed`);
    return this.memory.onSessionLookup(key);
  }
}

test("forgotten sessions are detached from every holder, stored ones kept, failures logged once", async () => {
  const manager = new CountingManager();
  const sessions = new SessionRegistry<RegistryHolder>(0);
  const [first, second] = [new RegistryHolder(sessions), new RegistryHolder(sessions)];
  const now = Timestamp.now();
  for (let i = 0; i < 100; i++) {
    const key = `${i % 10 === 9 ? "x" : "k"}${i}`;
    if (i % 2 === 0) manager.memory.onSessionCreated({ key, creation: now, lastLookup: now });
    sessions.register(key, first);
    if (i % 4 === 1) sessions.register(key, second);
  }
  const { logger, errors } = recordingLogger();
  const closes = new SessionCloses();
  const restore = closes.watch("k1"); // a restore of a forgotten session, looking it up
  const { detached, failed } = await detachForgottenSessions({
    sessions,
    sessionCloses: closes,
    sessionManager: manager,
    logger,
  });

  // Forgotten: odd i; of those, i % 10 === 9 fail their lookup; i % 4 === 1 have two holders.
  const forgotten = Array.from({ length: 100 }, (_, i) => i).filter((i) =>
    i % 2 === 1 && i % 10 !== 9
  );
  const expected = forgotten.length + forgotten.filter((i) => i % 4 === 1).length;
  assert.equal(detached, expected);
  assert.deepEqual(first.detached.sort(), forgotten.map((i) => `k${i}`).sort());
  assert.deepEqual(
    second.detached.sort(),
    forgotten.filter((i) => i % 4 === 1).map((i) => `k${i}`).sort(),
  );
  for (const i of forgotten) assert.deepEqual(sessions.connections(`k${i}`), []);
  assert.equal(sessions.activeSessions, 100 - forgotten.length, "stored and unchecked ones stay");
  assert.equal(failed.length, 10);
  assert.ok(failed.every((key) => key.startsWith("x")));
  assert.equal(errors.length, 1, "one line for all failed lookups");
  assert.match(errors[0].message, /10 held sessions/);
  assert.ok(manager.mostAtOnce > 1 && manager.mostAtOnce <= 32, `${manager.mostAtOnce} at once`);
  assert.equal(restore.overtaken, true, "a restore of a forgotten session fails too");
  restore.end();
});

test("nothing held: nothing looked up, nothing logged", async () => {
  const manager = new CountingManager();
  const { logger, errors } = recordingLogger();
  const { detached } = await detachForgottenSessions({
    sessions: new SessionRegistry<RegistryHolder>(0),
    sessionCloses: new SessionCloses(),
    sessionManager: manager,
    logger,
  });
  assert.equal(detached, 0);
  assert.equal(manager.mostAtOnce, 0);
  assert.equal(errors.length, 0);
});

test("a manager with hasSession is asked that, never a lookup", async () => {
  const memory = new MemorySessionManager();
  const asked: string[] = [];
  const manager: SessionManager = {
    onSessionCreated: (session) => memory.onSessionCreated(session),
    onSessionClosed: (key) => memory.onSessionClosed(key),
    onSessionLookup: () => {
      throw new Error("a lookup would mark the session as used");
    },
    hasSession: (key) => {
      asked.push(key);
      return memory.hasSession(key);
    },
  };
  const now = Timestamp.now();
  memory.onSessionCreated({ key: "stored", creation: now, lastLookup: now });
  const sessions = new SessionRegistry<RegistryHolder>(0);
  const holder = new RegistryHolder(sessions);
  sessions.register("stored", holder);
  sessions.register("gone", holder);
  const { logger, errors } = recordingLogger();
  const parts = { sessions, sessionCloses: new SessionCloses(), sessionManager: manager, logger };
  const { detached } = await detachForgottenSessions(parts);
  assert.equal(detached, 1);
  assert.deepEqual(holder.detached, ["gone"]);
  assert.deepEqual(asked.sort(), ["gone", "stored"]);
  assert.equal(errors.length, 0);
});

test("without hasSession, a session nobody holds any more is not looked up", async () => {
  const manager = new CountingManager();
  const sessions = new SessionRegistry<RegistryHolder>(0);
  const holder = new RegistryHolder(sessions);
  sessions.register("left", holder);
  sessions.deregister("left", holder); // its holder left after the keys were read
  const { logger } = recordingLogger();
  const parts = { sessions, sessionCloses: new SessionCloses(), sessionManager: manager, logger };
  const { detached } = await detachForgottenSessions(parts, ["left"]);
  assert.equal(detached, 0);
  assert.equal(manager.mostAtOnce, 0, "no lookup");
});
