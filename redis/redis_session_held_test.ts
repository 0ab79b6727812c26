// The lease of held sessions in Redis: with an idle timeout, a session a process holds carries a
// TTL longer than the idle timeout that each sweep of that process renews, so that it expires
// should the process die without releasing it (redis_session_crash_test kills one), and a
// release (here or by another process, as in a cluster) gives it back its exact idle TTL, which
// no sweep extends. Real redis-server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Timestamp } from "../protocol/timestamp.ts";
import { generateSessionKey } from "../session/session_key.ts";
import type { Session } from "../session/session_manager.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { heldLease, HeldSessions } from "./held_sessions.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

let inspector: Redis;

const redis = redisFixture({
  started: (server) => void (inspector = new Redis(server.url)),
  stopping: () => inspector?.disconnect(),
});

const idleTimeout = 1000;
const lease = heldLease(idleTimeout);

function newSession(): Session {
  const now = Timestamp.now();
  return { key: generateSessionKey(), creation: now, lastLookup: now };
}

function managerOn(keyPrefix: string, maxAge = 0): RedisSessionManager {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix });
  sessions.useExpiry({ idleTimeout, maxAge });
  return sessions;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("each sweep renews a held session's lease; a release sets the idle TTL, which sweeps keep", async () => {
  const sessions = managerOn("held1:");
  try {
    const session = newSession();
    const stored = `held1:session:${session.key}`;
    await sessions.onSessionCreated(session);
    const created = await inspector.pttl(stored);
    assert.ok(created > idleTimeout && created <= lease, `created: the lease (${created})`);
    await delay(800);
    const before = await inspector.pttl(stored);
    assert.equal(await sessions.sweepExpired(), 0);
    const renewed = await inspector.pttl(stored);
    assert.ok(renewed > before && renewed <= lease, `renewed: ${before} -> ${renewed}`);
    await sessions.onSessionReleased(session.key);
    const idle = await inspector.pttl(stored);
    assert.ok(idle > 0 && idle <= idleTimeout, `released: the idle TTL (${idle})`);
    await sessions.sweepExpired();
    const swept = await inspector.pttl(stored);
    assert.ok(swept > 0 && swept <= idle, `a sweep leaves the idle TTL (${swept})`);
    assert.ok((await sessions.onSessionLookup(session.key)) !== null);
    const held = await inspector.pttl(stored);
    assert.ok(held > idleTimeout && held <= lease, `held again: the lease (${held})`);
  } finally {
    await sessions.close();
  }
});

test("a sweep leaves alone a session another process released (a cluster's other node)", async () => {
  const a = managerOn("held2:");
  const b = managerOn("held2:");
  try {
    const session = newSession();
    const stored = `held2:session:${session.key}`;
    await a.onSessionCreated(session); // held by A...
    assert.ok((await b.onSessionLookup(session.key)) !== null); // ...and by B
    // A's connection left first (the cluster counted B's, so A sent no release); then B's.
    await b.onSessionReleased(session.key);
    await a.sweepExpired();
    const ttl = await inspector.pttl(stored);
    assert.ok(ttl > 0 && ttl <= idleTimeout, `its idle TTL runs (${ttl}), not a lease of A's`);
    await delay(idleTimeout + 100);
    await a.sweepExpired();
    assert.equal(await inspector.exists(stored), 0, "idle: gone");
  } finally {
    await a.close();
    await b.close();
  }
});

test("the lease never outlasts the max age", async () => {
  const sessions = managerOn("held3:", 2000);
  try {
    const session = newSession();
    const stored = `held3:session:${session.key}`;
    await sessions.onSessionCreated(session);
    for (const step of ["created", "looked up", "swept"]) {
      if (step === "looked up") await sessions.onSessionLookup(session.key);
      if (step === "swept") await sessions.sweepExpired();
      const ttl = await inspector.pttl(stored);
      assert.ok(ttl > 0 && ttl <= 2000, `${step}: ${ttl}`);
    }
  } finally {
    await sessions.close();
  }
});

test("a sweep renews every held session, in batches, and skips a key that is no session now", async () => {
  const sessions = managerOn("held4:");
  try {
    const held = Array.from({ length: 600 }, newSession);
    for (const session of held) await sessions.onSessionCreated(session);
    const spoilt = `held4:session:${held[1].key}`;
    await inspector.del(spoilt);
    await inspector.set(spoilt, "not a hash");
    await delay(800);
    await sessions.sweepExpired();
    for (const session of [held[0], held[300], held[599]]) {
      const ttl = await inspector.pttl(`held4:session:${session.key}`);
      assert.ok(ttl > lease - 500, `renewed: ${ttl}`);
    }
    assert.equal(await inspector.pttl(spoilt), -1, "left as it is");
  } finally {
    await sessions.close();
  }
});

test("a renewal forgets a key Redis no longer holds, unless a lookup held it again meanwhile", async () => {
  const held = new HeldSessions();
  held.hold("again");
  held.hold("gone");
  // Both released elsewhere, by Redis' answer; "again" was looked up while the answer came.
  await held.renew((keys) => {
    held.hold("again");
    return Promise.resolve(keys.map(() => 0));
  });
  const asked: string[] = [];
  await held.renew((keys) => (asked.push(...keys), Promise.resolve(keys.map(() => 1))));
  assert.deepEqual(asked, ["again"]);
});

test("forgetting an unused session of a key leaves the lease of the one held under it", async () => {
  const sessions = managerOn("held4:");
  try {
    const ada = newSession();
    const stored = `held4:session:${ada.key}`;
    await sessions.onSessionCreated(ada); // held by this process
    // A create under ada's key (a key generator that repeats keys) whose answer was lost.
    const bob = { ...ada, creation: Timestamp.parse("2020-01-01T00:00:00Z") };
    await sessions.onSessionUnused(bob);
    await delay(800);
    const before = await inspector.pttl(stored);
    await sessions.sweepExpired();
    const renewed = await inspector.pttl(stored);
    assert.ok(renewed > before, `ada's lease is renewed still: ${before} -> ${renewed}`);
    await sessions.onSessionUnused(ada);
    assert.equal(await inspector.exists(stored), 0, "her own forget deletes it");
  } finally {
    await sessions.close();
  }
});

test("an unused session whose forget failed is no longer held: no sweep renews its lease", async () => {
  const proxy = await startCuttableProxy(redis.server.port);
  const sessions = new RedisSessionManager(proxy.url, { keyPrefix: "held5:", commandTimeout: 300 });
  sessions.useExpiry({ idleTimeout, maxAge: 0 });
  try {
    // Stored, then its connection left; Redis is cut off when the server forgets it (the server
    // tries again for about a minute, then gives up: no client has its key).
    const bob = newSession();
    const stored = `held5:session:${bob.key}`;
    await sessions.onSessionCreated(bob);
    proxy.cut();
    await assert.rejects(sessions.onSessionUnused(bob));
    proxy.heal();
    await delay(800);
    const before = await inspector.pttl(stored);
    await sessions.sweepExpired();
    const after = await inspector.pttl(stored);
    assert.ok(after <= before, `its lease runs out, not renewed by sweeps: ${before} -> ${after}`);
  } finally {
    await sessions.close();
    await proxy.close();
  }
});
