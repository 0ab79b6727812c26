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
    await sessions.onSessionCreated({ key, creation: now, lastLookup: now });
    await sessions.onSessionReleased(key); // nobody holds it: its idle clock runs
    const redisKey = `${keyPrefix}session:${key}`;
    assert.ok(await inspector.pttl(redisKey) > 0);

    proxy.partition();
    await assert.rejects(sessions.onSessionLookup(key), RedisUnavailableError);
    // The partition outlasts the reset of the dead link: the bytes held for it are gone.
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.heal();
    await until(() => sessions.client.status === "ready", "the manager reconnected");
    assert.equal(await sessions.hasSession(key), true); // a call on the new link, answered
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ttl = await inspector.pttl(redisKey);
    assert.ok(ttl > 0, `the session still expires (PTTL ${ttl}; -1: held for ever)`);
  } finally {
    await sessions.close();
    await proxy.close();
  }
});
