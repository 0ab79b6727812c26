import { test } from "node:test";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { InternalError, SessionNotFoundError } from "../client/errors.ts";
import { recordingLogger, testRequestHandler, waitFor } from "../testing/client_support.ts";
import { silentLogger } from "../protocol/logger.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const commandTimeout = 300;

const redis = redisFixture();

interface Node {
  running: StartedServer;
  sessions: RedisSessionManager;
  errors: string[];
}

/** A server of its own with a Redis session manager of its own, all on the test's Redis. */
async function startNode(keyPrefix: string): Promise<Node> {
  const sessions = new RedisSessionManager(redis.url, {
    keyPrefix,
    commandTimeout,
    logger: silentLogger,
  });
  const log = recordingLogger();
  const running = await startServer({
    onRequest: testRequestHandler,
    sessionManager: sessions,
    logger: log.logger,
  });
  return { running, sessions, errors: log.errors };
}

async function stopNode(node: Node): Promise<void> {
  await node.running.close();
  await node.sessions.close();
}

async function connect(node: Node): Promise<Client> {
  const client = new Client(node.running.url, { logger: silentLogger, autoconnect: false });
  await client.connect();
  return client;
}

async function logIn(node: Node, user: string): Promise<{ client: Client; key: string }> {
  const client = await connect(node);
  try {
    assert.equal((await client.request("login", user)).text(), "ok");
    await waitFor(() => client.session !== null);
  } catch (error) {
    await client.close();
    throw error;
  }
  return { client, key: client.session!.key };
}

/** Retries `attempt` every 100 ms for up to 5 s: the Redis clients are reconnecting. */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

test("a session created on one server is restored on another that shares the Redis", async () => {
  const [a, b] = [await startNode("shared:"), await startNode("shared:")];
  const { client: first, key } = await logIn(a, "ada");
  const second = await connect(b);
  await second.restoreSession(key);
  assert.equal(second.session?.key, key);
  assert.deepEqual(second.session?.info, { user: "ada" });
  assert.equal((await second.request("whoami")).text(), key);

  // The last connection on each server closing the session deletes it for every server.
  assert.equal((await first.request("logout")).text(), "ok");
  assert.equal((await second.request("logout")).text(), "ok");
  const third = await connect(a);
  await assert.rejects(third.restoreSession(key), SessionNotFoundError);
  await Promise.all([first.close(), second.close(), third.close()]);
  await Promise.all([stopNode(a), stopNode(b)]);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test("Redis down: restores and logins get internal errors at once, requests go on, and all works again after", async () => {
  const [a, b] = [await startNode("down:"), await startNode("down:")];
  const { client: first, key } = await logIn(a, "bob");
  await redis.server.pause();
  try {
    const second = await connect(b);
    const lateness = LoopLateness.start();
    const started = Date.now();
    await assert.rejects(second.restoreSession(key), InternalError);
    await assert.rejects(second.request("login", "eve"), InternalError);
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    assert.ok(
      elapsed < 4 * commandTimeout + late,
      `answered after ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
    );
    assert.equal(second.session, null);
    assert.equal((await second.request("echo", "still here")).text(), "still here");
    assert.equal((await first.request("whoami")).text(), key); // a held session stays held
    assert.ok(b.errors.some((line) => line.startsWith("session lookup failed")), b.errors[0]);
    await second.close();
  } finally {
    await redis.server.start(); // empty again: nothing was persisted
  }
  const login = await eventually(() => logIn(a, "carl"));
  const again = await connect(b);
  await eventually(() => again.restoreSession(login.key));
  assert.deepEqual(again.session?.info, { user: "carl" });
  await Promise.all([first.close(), again.close(), login.client.close()]);
  await Promise.all([stopNode(a), stopNode(b)]);
});
