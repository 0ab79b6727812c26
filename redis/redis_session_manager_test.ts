import { test } from "node:test";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Timestamp } from "../protocol/timestamp.ts";
import { generateSessionKey } from "../session/session_key.ts";
import type { Session } from "../session/session_manager.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startRedisServer } from "../testing/redis_server.ts";
import { CorruptRedisSessionError, RedisUnavailableError } from "./errors.ts";
import { heldLease } from "./held_sessions.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";
import { SessionKeyTakenError } from "../session/session_key_taken_error.ts";

const t0 = Timestamp.parse("2020-01-01T00:00:00.000000001Z");

/** A client of the test's own, to look at what the manager stored. */
let inspector: Redis;

const redis = redisFixture({
  started: (server) => void (inspector = new Redis(server.url)),
  stopping: () => inspector?.disconnect(), // unset when redis-server could not start
});

function newSession(info?: Session["info"], creation = t0): Session {
  return {
    key: generateSessionKey(),
    creation,
    lastLookup: creation,
    ...(info === undefined ? {} : { info }),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `attempt` until it resolves (the client is reconnecting), for at most `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(50);
    }
  }
}

test("create, lookup (values from before it) and close", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t1:" });
  const session = newSession({ user: "ada", roles: ["admin"], n: 1.5, ok: true, none: null });
  await sessions.onSessionCreated(session);
  const before = Date.now();
  const first = await sessions.onSessionLookup(session.key);
  assert.ok(first !== null);
  assert.equal(first.creation.toString(), "2020-01-01T00:00:00.000000001Z");
  assert.equal(first.lastLookup.toString(), "2020-01-01T00:00:00.000000001Z");
  assert.deepEqual(first.info, { user: "ada", roles: ["admin"], n: 1.5, ok: true, none: null });
  const second = await sessions.onSessionLookup(session.key);
  assert.ok(second !== null);
  assert.equal(second.creation.toString(), t0.toString());
  assert.ok(second.lastLookup.toDate().getTime() >= before);
  assert.ok(second.lastLookup.toDate().getTime() <= Date.now());
  await sessions.onSessionClosed(session.key);
  await sessions.onSessionClosed(session.key);
  assert.equal(await sessions.onSessionLookup(session.key), null);
  assert.equal(await inspector.exists(`t1:session:${session.key}`), 0);
  await sessions.close();
});

test("a session without info has no info field", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t2:" });
  const session = newSession();
  await sessions.onSessionCreated(session);
  const found = await sessions.onSessionLookup(session.key);
  assert.ok(found !== null);
  assert.equal("info" in found, false);
  await sessions.close();
});

test("a key that has a session is refused (SessionKeyTakenError), also by another node", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "taken:" });
  const other = new RedisSessionManager(redis.url, { keyPrefix: "taken:" });
  const session = newSession({ user: "ada" });
  await sessions.onSessionCreated(session);
  for (const manager of [sessions, other]) {
    await assert.rejects(
      Promise.resolve(
        manager.onSessionCreated({ ...newSession({ user: "bob" }), key: session.key }),
      ),
      (error: unknown) =>
        error instanceof SessionKeyTakenError && !error.message.includes(session.key),
    );
  }
  // Left as it was, and takeable once it is gone.
  assert.deepEqual(await inspector.hget(`taken:session:${session.key}`, "i"), '{"user":"ada"}');
  assert.deepEqual((await other.onSessionLookup(session.key))?.info, { user: "ada" });
  await sessions.onSessionClosed(session.key);
  await other.onSessionCreated({ ...newSession({ user: "bob" }), key: session.key });
  assert.deepEqual((await sessions.onSessionLookup(session.key))?.info, { user: "bob" });
  await Promise.all([sessions.close(), other.close()]);
});

test("onSessionUnused deletes only the session given, not another of its key", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "unused:" });
  const ada = newSession({ user: "ada" });
  const bob = newSession({ user: "bob" }, Timestamp.parse("2020-01-01T00:00:00.000000002Z"));
  await sessions.onSessionCreated(ada);
  await sessions.onSessionUnused({ ...bob, key: ada.key }); // a create under ada's key
  assert.deepEqual(await inspector.hget(`unused:session:${ada.key}`, "i"), '{"user":"ada"}');
  await sessions.onSessionUnused(ada);
  assert.equal(await inspector.exists(`unused:session:${ada.key}`), 0);
  await sessions.onSessionUnused(ada); // gone: fine
  await inspector.set(`unused:session:${bob.key}`, "not a hash");
  await sessions.onSessionUnused(bob);
  assert.equal(await inspector.get(`unused:session:${bob.key}`), "not a hash", "left alone");
  await sessions.close();
});

test("sessions live at <keyPrefix>session:<key> as a hash", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "myapp:" });
  const session = newSession({ user: "cy" });
  await sessions.onSessionCreated(session);
  assert.deepEqual(await inspector.keys("myapp:*"), [`myapp:session:${session.key}`]);
  assert.deepEqual(await inspector.hgetall(`myapp:session:${session.key}`), {
    c: t0.toString(),
    l: t0.toString(),
    i: '{"user":"cy"}',
  });
  assert.equal(await inspector.pttl(`myapp:session:${session.key}`), -1);
  const other = new RedisSessionManager(redis.url, { keyPrefix: "other:" });
  assert.equal(await other.onSessionLookup(session.key), null);
  assert.equal(new RedisSessionManager(inspector).keyPrefix, "webwire:");
  await Promise.all([sessions.close(), other.close()]);
});

test("unknown and hostile keys are not found, and hostile keys never reach Redis", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t4:" });
  assert.equal(await sessions.onSessionLookup(generateSessionKey()), null);
  const keysBefore = await inspector.dbsize();
  const hostile = ["", "*", "../" + "A".repeat(61), "A".repeat(65), "A".repeat(63) + "\n", "x"];
  for (const key of hostile) {
    assert.equal(await sessions.onSessionLookup(key), null);
    await sessions.onSessionClosed(key);
    await sessions.onSessionReleased(key);
    await assert.rejects(sessions.onSessionCreated({ ...newSession(), key }), RangeError);
  }
  // Not even a connection was needed: the manager's lazy client never connected.
  const neverConnected = new RedisSessionManager("redis://127.0.0.1:1", { commandTimeout: 50 });
  assert.equal(await neverConnected.onSessionLookup("*"), null);
  assert.equal(neverConnected.client.status, "wait");
  assert.equal(await inspector.dbsize(), keysBefore);
  const custom = new RedisSessionManager(redis.url, {
    keyPrefix: "t4:",
    isValidKey: (key) => /^[a-f0-9]{8}$/.test(key),
  });
  await custom.onSessionCreated({ ...newSession(), key: "0123abcd" });
  assert.ok((await custom.onSessionLookup("0123abcd")) !== null);
  assert.equal(await custom.onSessionLookup(generateSessionKey()), null);
  await Promise.all([sessions.close(), neverConnected.close(), custom.close()]);
});

test("a stored value that is not a session makes the lookup throw CorruptRedisSessionError", async () => {
  const sessions = new RedisSessionManager(inspector, { keyPrefix: "t5:" });
  const key = generateSessionKey();
  await inspector.hset(`t5:session:${key}`, { c: "yesterday", l: t0.toString() });
  await assert.rejects(sessions.onSessionLookup(key), CorruptRedisSessionError);
  await inspector.hset(`t5:session:${key}`, { c: t0.toString(), i: "[1]" });
  await assert.rejects(sessions.onSessionLookup(key), CorruptRedisSessionError);
  await inspector.hset(`t5:session:${key}`, { i: "{" });
  await assert.rejects(sessions.onSessionLookup(key), CorruptRedisSessionError);
  await inspector.del(`t5:session:${key}`);
  await inspector.set(`t5:session:${key}`, "a string");
  await assert.rejects(
    sessions.onSessionLookup(key),
    (error: Error) => error.name === "ReplyError",
  );
});

test("max age: a session expires at creation + maxAge, held or not", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t6:" });
  // Windows of a second: a busy machine may take a few hundred ms between two calls.
  sessions.useExpiry({ idleTimeout: 0, maxAge: 1000 });
  const held = newSession({ user: "held" }, Timestamp.now());
  const released = newSession({ user: "released" }, Timestamp.now());
  await sessions.onSessionCreated(held);
  await sessions.onSessionCreated(released);
  await sessions.onSessionReleased(released.key); // no idle timeout: nothing changes
  assert.ok((await sessions.onSessionLookup(held.key)) !== null); // keeps the max-age TTL
  const ttl = await inspector.pttl(`t6:session:${held.key}`);
  assert.ok(ttl > 0 && ttl <= 1000, `TTL ${ttl}`);
  await delay(1150);
  assert.equal(await sessions.onSessionLookup(held.key), null);
  assert.equal(await sessions.onSessionLookup(released.key), null);
  // A session created longer ago than the max age is gone at once.
  const old = newSession({}, Timestamp.fromDate(new Date(Date.now() - 2000)));
  await sessions.onSessionCreated(old);
  assert.equal(await sessions.onSessionLookup(old.key), null);
  await sessions.close();
});

test("idle timeout: held sessions do not expire, a release starts the clock, a lookup stops it", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t7:" });
  // A window of a second: a busy machine may take a few hundred ms between two calls.
  sessions.useExpiry({ idleTimeout: 1000, maxAge: 0 });
  const session = newSession({ user: "idle" }, Timestamp.now());
  await sessions.onSessionCreated(session);
  const redisKey = `t7:session:${session.key}`;
  await delay(1150); // held since its creation
  assert.ok((await sessions.onSessionLookup(session.key)) !== null);
  await sessions.onSessionReleased(session.key);
  const ttl = await inspector.pttl(redisKey);
  assert.ok(ttl > 0 && ttl <= 1000, `TTL ${ttl}`);
  await delay(100);
  assert.ok((await sessions.onSessionLookup(session.key)) !== null); // held again
  const lease = await inspector.pttl(redisKey); // against a crash: see redis_session_held_test
  assert.ok(
    lease > 1000 && lease <= heldLease(1000),
    `held: the lease, not the idle TTL (${lease})`,
  );
  await delay(1150);
  assert.ok((await sessions.onSessionLookup(session.key)) !== null);
  await sessions.onSessionReleased(session.key);
  await delay(1150);
  assert.equal(await sessions.onSessionLookup(session.key), null);
  assert.equal(await inspector.exists(redisKey), 0);
  await sessions.onSessionReleased(session.key); // an expired session: fine, nothing created
  assert.equal(await inspector.exists(redisKey), 0);
  assert.equal(await sessions.sweepExpired(), 0);
  await sessions.close();
});

test("idle timeout never outlasts the max age", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "t8:" });
  sessions.useExpiry({ idleTimeout: 60_000, maxAge: 2000 });
  const session = newSession({}, Timestamp.now());
  await sessions.onSessionCreated(session);
  await sessions.onSessionReleased(session.key);
  const ttl = await inspector.pttl(`t8:session:${session.key}`);
  assert.ok(ttl > 0 && ttl <= 2000, `TTL ${ttl}`);
  assert.equal(await inspector.hget(`t8:session:${session.key}`, "m") !== null, true);
  assert.throws(() => sessions.useExpiry({ idleTimeout: -1, maxAge: 0 }), RangeError);
  await sessions.close();
});

test("scripts are sent again after Redis forgot them (SCRIPT FLUSH)", async () => {
  const sessions = new RedisSessionManager(inspector, { keyPrefix: "t9:" });
  const session = newSession({ user: "flush" });
  await sessions.onSessionCreated(session);
  await inspector.script("FLUSH");
  assert.deepEqual((await sessions.onSessionLookup(session.key))?.info, { user: "flush" });
});

test("Redis down: calls reject with RedisUnavailableError within the timeout, and work after it is back", async () => {
  const own = await startRedisServer();
  const given = new Redis(own.url, { retryStrategy: () => 50 });
  given.on("error", () => {}); // ioredis reports every failed reconnect here
  const owned = new RedisSessionManager(own.url, {
    commandTimeout: 300,
    logger: { warn: () => {}, error: () => {} },
  });
  const onGiven = new RedisSessionManager(given, { commandTimeout: 300 });
  try {
    const session = newSession({ user: "down" });
    await owned.onSessionCreated(session);
    assert.ok((await onGiven.onSessionLookup(session.key)) !== null);
    await own.pause();
    for (const sessions of [owned, onGiven]) {
      const lateness = LoopLateness.start();
      const started = Date.now();
      const calls = [
        sessions.onSessionLookup(session.key),
        sessions.onSessionCreated(newSession()),
        sessions.onSessionClosed(session.key),
      ];
      for (const call of calls) {
        await assert.rejects(call, (error: unknown) => {
          assert.ok(error instanceof RedisUnavailableError, String(error));
          return true;
        });
      }
      const elapsed = Date.now() - started;
      const late = lateness.stop();
      assert.ok(
        elapsed < 1000 + late,
        `rejected after ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
      );
    }
    await own.start(); // empty: nothing was persisted
    for (const sessions of [owned, onGiven]) {
      const again = newSession({ user: "back" });
      await eventually(() => sessions.onSessionCreated(again));
      assert.deepEqual((await sessions.onSessionLookup(again.key))?.info, { user: "back" });
    }
  } finally {
    await owned.close();
    given.disconnect();
    await own.stop();
  }
  assert.equal(owned.client.status, "end");
  await assert.rejects(owned.onSessionLookup(generateSessionKey()), RedisUnavailableError);
});

test("hasSession says whether a session is stored and touches neither lookup time nor TTL", async () => {
  const sessions = new RedisSessionManager(redis.url, { keyPrefix: "has:" });
  try {
    sessions.useExpiry({ idleTimeout: 60_000, maxAge: 0 });
    const session = newSession();
    await sessions.onSessionCreated(session);
    await sessions.onSessionReleased(session.key); // idle: the TTL runs
    const ttl = await inspector.pttl(`has:session:${session.key}`);
    assert.ok(ttl > 0, `a TTL runs (${ttl})`);
    assert.equal(await sessions.hasSession(session.key), true);
    assert.ok(await inspector.pttl(`has:session:${session.key}`) <= ttl, "the TTL still runs");
    const found = await sessions.onSessionLookup(session.key);
    assert.equal(found?.lastLookup.toString(), t0.toString(), "no lookup was recorded");
    assert.equal(await sessions.hasSession(generateSessionKey()), false);
    assert.equal(await sessions.hasSession("../etc/passwd"), false);
    await sessions.onSessionClosed(session.key);
    assert.equal(await sessions.hasSession(session.key), false);
  } finally {
    await sessions.close();
  }
});

test("a reply that arrived while the process stalled past commandTimeout is taken", async () => {
  // The manager's own client: no timer of its own fails the call before the reply is read.
  const sessions = new RedisSessionManager(redis.url, { commandTimeout: 300 });
  let reconnects = 0;
  (sessions.client as unknown as Redis).on("reconnecting", () => reconnects++);
  try {
    const session = newSession();
    await sessions.onSessionCreated(session);
    const found = sessions.hasSession(session.key);
    // The process stalls (a GC pause, a starved CPU) right after sending; Redis answers at
    // once, and its reply waits unread while the limit passes.
    const stallEnds = Date.now() + 600;
    while (Date.now() < stallEnds) { /* busy */ }
    assert.equal(await found, true);
    assert.equal(reconnects, 0, "the connection was not reset");
  } finally {
    await sessions.close();
  }
});
