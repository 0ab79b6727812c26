// detachForgottenSessions: every held session the manager no longer has is detached from all
// its connections, those it still has are kept, failed lookups keep theirs and are logged once,
// and no more than a few lookups run at a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Timestamp } from "../protocol/timestamp.ts";
import type { SessionLookupResult, SessionManager } from "../session/session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { detachForgottenSessions, type SessionHolder } from "./forgotten_sessions.ts";
import { SessionCloses } from "./session_closes.ts";
import { SessionRegistry } from "./session_registry.ts";

/** A connection that holds sessions in the registry, as the server's connections do. */
class Holder implements SessionHolder {
  readonly detached: string[] = [];
  constructor(readonly sessions: SessionRegistry<Holder>) {}
  closeSessionKey(key: string): Promise<boolean> {
    const held = this.sessions.deregister(key, this) !== -1;
    if (held) this.detached.push(key);
    return Promise.resolve(held);
  }
}

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
  const sessions = new SessionRegistry<Holder>(0);
  const [first, second] = [new Holder(sessions), new Holder(sessions)];
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
  const detached = await detachForgottenSessions({
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
  assert.equal(errors.length, 1, "one line for all failed lookups");
  assert.match(errors[0].message, /10 held sessions/);
  assert.ok(manager.mostAtOnce > 1 && manager.mostAtOnce <= 32, `${manager.mostAtOnce} at once`);
  assert.equal(restore.overtaken, true, "a restore of a forgotten session fails too");
  restore.end();
});

test("nothing held: nothing looked up, nothing logged", async () => {
  const manager = new CountingManager();
  const { logger, errors } = recordingLogger();
  const detached = await detachForgottenSessions({
    sessions: new SessionRegistry<Holder>(0),
    sessionCloses: new SessionCloses(),
    sessionManager: manager,
    logger,
  });
  assert.equal(detached, 0);
  assert.equal(manager.mostAtOnce, 0);
  assert.equal(errors.length, 0);
});
