// Session expiry through a server on the Redis session manager: the server hands the manager
// its settings (useExpiry) and tells it when a session's last connection leaves
// (onSessionReleased); Redis TTLs do the rest.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeRequest,
  encodeRestoreSession,
  parseSessionJson,
  requestIdFromNumber,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { type RedisServer, startRedisServer } from "../testing/redis_server.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

let redis: RedisServer;
let nextId = 1;

before(async () => {
  redis = await startRedisServer();
});

after(async () => {
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function login(client: RawClient): Promise<string> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name: "login", payload: "ada" }));
  const created = await client.next();
  assert.ok(created.kind === "session-created");
  assert.equal((await client.next()).kind, "reply");
  return parseSessionJson(created.json).key;
}

async function restore(client: RawClient, key: string): Promise<string> {
  client.send(encodeRestoreSession(requestIdFromNumber(nextId++), key));
  return (await client.next()).kind;
}

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
    const key = await login(first);
    await sleep(600);
    const second = await RawClient.handshake(running.url);
    assert.equal(await restore(second, key), "reply", "held: no idle expiry");
    first.close();
    second.close();
    await until(() => running.server.activeSessionsCount === 0, "both left");
    await sleep(700);
    const third = await RawClient.handshake(running.url);
    assert.equal(await restore(third, key), "session-not-found-reply", "idle for 700 ms");

    const held = await login(third);
    const closed = await third.next(4000); // the max age closes it while it is held
    assert.equal(closed.kind, "session-closed");
    const fourth = await RawClient.handshake(running.url);
    assert.equal(await restore(fourth, held), "session-not-found-reply");
    third.close();
    fourth.close();
  } finally {
    await running.close();
    await sessions.close();
  }
});
