// Session expiry through a server on the Redis session manager: the server hands the manager
// its settings (useExpiry) and tells it when a session's last connection leaves
// (onSessionReleased); Redis TTLs do the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a server's sessionIdleTimeout and sessionMaxAge hold with Redis sessions", async () => {
  const sessions = new RedisSessionManager(redis.url, {
    keyPrefix: "expiry:",
    commandTimeout: 1000,
    logger: silentLogger,
  });
  const running = await startServer({
    sessionManager: sessions,
    sessionIdleTimeout: 400,
    sessionMaxAge: 2000,
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const first = await RawClient.handshake(running.url);
    const { key } = await rawLogin(first, "ada");
    await sleep(600);
    const second = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(second, key), "reply", "held: no idle expiry");
    first.close();
    second.close();
    await until(() => running.server.activeSessionsCount === 0, "both left");
    await sleep(700);
    const third = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(third, key), "session-not-found-reply", "idle for 700 ms");

    const { key: held } = await rawLogin(third, "bob");
    const closed = await third.next(4000); // the max age closes it while it is held
    assert.equal(closed.kind, "session-closed");
    const fourth = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(fourth, held), "session-not-found-reply");
    third.close();
    fourth.close();
  } finally {
    await running.close();
    await sessions.close();
  }
});
