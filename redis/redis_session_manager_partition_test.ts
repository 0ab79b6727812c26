// The Redis session manager on a link that stops answering while TCP stays up (a partition, a
// proxy holding bytes): a lookup that timed out is not sent again once the link is back, so it
// never holds (PERSISTs) a session that nobody holds. Real redis-server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { generateSessionKey } from "../session/session_key.ts";
import { startPartitionProxy } from "../testing/partition_proxy.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisUnavailableError } from "./errors.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

/** A client of the test's own, to look at what the manager stored. */
let inspector: Redis;

const redis = redisFixture({
  started: (server) => void (inspector = new Redis(server.url)),
  stopping: () => inspector?.disconnect(),
});

test("a lookup that timed out during a partition is not run once the link is back", async () => {
  const proxy = await startPartitionProxy(redis.server.port);
  const keyPrefix = "partition:";
  const sessions = new RedisSessionManager(proxy.url, {
    keyPrefix,
    commandTimeout: 300,
    logger: silentLogger,
  });
  sessions.useExpiry({ idleTimeout: 60_000, maxAge: 0 });
  try {
    const now = Timestamp.now();
    const key = generateSessionKey();
    // Connected first: a stalled test process does not count the connect against 300 ms.
    await until(() => sessions.hasSession(key).then(() => true, () => false), "connected");
    await sessions.onSessionCreated({ key, creation: now, lastLookup: now });
    await sessions.onSessionReleased(key); // nobody holds it: its idle clock runs
    const redisKey = `${keyPrefix}session:${key}`;
    assert.ok(await inspector.pttl(redisKey) > 0);

    proxy.partition();
    await assert.rejects(sessions.onSessionLookup(key), RedisUnavailableError);
    // The partition outlasts the reset of the dead link: the bytes held for it are gone.
    await until(() => proxy.ended >= 1, "the dead link was reset");
    proxy.heal();
    await until(() => sessions.client.status === "ready", "the manager reconnected");
    assert.equal(await sessions.hasSession(key), true); // a call on the new link, answered
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ttl = await inspector.pttl(redisKey);
    // A lookup run late would have held it: no idle TTL, but a holder's lease (longer).
    assert.ok(ttl > 0 && ttl <= 60_000, `its idle TTL still runs (PTTL ${ttl})`);
  } finally {
    await sessions.close();
    await proxy.close();
  }
});

test("a client the application passes in is never reset: its own slow command runs once", async () => {
  // The application's own command on the client it shares: a script that takes 3 s (longer
  // than a stall of the test process, after which the lookup's reply would be taken).
  const slowScript = `local s = redis.call('TIME')
    while true do
      local n = redis.call('TIME')
      if (n[1] - s[1]) * 1000000 + (n[2] - s[2]) > 3000000 then break end
    end
    return redis.call('INCR', KEYS[1])`;
  const app = new Redis(redis.url, { autoResendUnfulfilledCommands: false });
  let reconnects = 0;
  app.on("reconnecting", () => reconnects++);
  const sessions = new RedisSessionManager(app, { commandTimeout: 300, logger: silentLogger });
  try {
    const ran = app.eval(slowScript, 1, "shared:counter");
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Queued behind the script: times out, and leaves the application's connection alone.
    await assert.rejects(sessions.onSessionLookup(generateSessionKey()), RedisUnavailableError);
    // Reset under it, the script's reply would never come: give it 8 s at most.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      ran,
      new Promise((resolve) => timer = setTimeout(() => resolve("no reply in 8 s"), 8_000)),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, 1);
    assert.equal(await inspector.get("shared:counter"), "1");
    assert.equal(reconnects, 0);
  } finally {
    await sessions.close();
    app.disconnect();
  }
});
