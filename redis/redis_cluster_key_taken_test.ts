// In a cluster, a session key generator that repeats a key is refused on every node: a login on
// another node than the one holding the key fails (the Redis session manager refuses the key),
// the session that has it keeps its info, and the slot the refused login counted is given back,
// so that maxSessionConnections still counts the owner's connections only. Real redis-server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { InternalError, MaxSessionConnectionsError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { Server } from "../server/server.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { connectPeer, type Peer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";
import { generateSessionKey } from "../session/session_key.ts";

const redis = redisFixture();
/** One key of the default shape, which the Redis session manager takes, made over and over. */
const key = generateSessionKey();

interface Node {
  running: StartedServer;
  sessions: RedisSessionManager;
}

async function startNode(index: number): Promise<Node> {
  const options = { keyPrefix: "taken:", commandTimeout: 1000, logger: silentLogger };
  const sessions = new RedisSessionManager(redis.url, options);
  const holder: { server?: Server } = {};
  const running = await startServer({
    sessionManager: sessions,
    cluster: new RedisCluster(redis.url, { ...options, nodeTtl: 5000 }),
    maxSessionConnections: 2,
    sessionKeyGenerator: { generate: () => key },
    logger: silentLogger,
    ...clusterNodeService(() => holder.server!, `node-${index}`),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  return { running, sessions };
}

test("a repeated key is refused on another node, and the refused login's slot is given back", async () => {
  const nodes = [await startNode(1), await startNode(2)];
  const peers: Peer[] = [];
  const count = async (peer: Peer) => (await peer.client.request("admin:count", key)).text();
  try {
    const ada = await connectPeer(nodes[0]);
    const bob = await connectPeer(nodes[1]);
    peers.push(ada, bob);
    await ada.client.request("login", "ada");
    await until(() => ada.client.session !== null, "ada logged in");
    assert.equal(ada.client.session?.key, key);

    await assert.rejects(bob.client.request("login", "bob"), InternalError);
    assert.equal(bob.client.session, null);
    assert.equal(await count(bob), "1", "only ada's connection counts");

    // Ada's second connection fits in, a third does not: the count is right.
    const adaAgain = await connectPeer(nodes[1]);
    peers.push(adaAgain);
    await adaAgain.client.restoreSession(key);
    assert.deepEqual(adaAgain.client.session?.info, { user: "ada" });
    const third = await connectPeer(nodes[1]);
    peers.push(third);
    await assert.rejects(third.client.restoreSession(key), MaxSessionConnectionsError);
  } finally {
    for (const peer of peers) await peer.client.close();
    for (const node of nodes) {
      await node.running.close();
      await node.sessions.close();
    }
  }
});

test("the signals kept for an expired session do not reach the new session of its key", async () => {
  // Sent to ada while she was away, kept in Redis for her restore; her session expired (Redis
  // dropped it) and the repeated key went to bob: bob's restore must not get them.
  const options = { keyPrefix: "taken-kept:", commandTimeout: 1000, logger: silentLogger };
  const sessions = new RedisSessionManager(redis.url, options);
  const running = await startServer({
    sessionManager: sessions,
    cluster: new RedisCluster(redis.url, { ...options, nodeTtl: 5000 }),
    sessionIdleTimeout: 1000,
    sessionKeyGenerator: { generate: () => key },
    logger: silentLogger,
    onRequest: async ({ name, payload, connection }) => {
      if (name === "whoami") return String(connection.session?.info?.user);
      await connection.createSession({ user: payload.text() });
    },
  });
  await running.server.clusterJoined;
  const signals: string[] = [];
  const ada = new Client(running.url, { logger: silentLogger });
  const bob = new Client(running.url, { logger: silentLogger });
  const bobAgain = new Client(running.url, {
    logger: silentLogger,
    onSignal: (signal) => void signals.push(signal.payload.text()),
  });
  try {
    await ada.request("login", "ada");
    await ada.close();
    await until(() => running.server.activeSessionsCount === 0, "ada's connection is gone");
    running.server.signalSession(key, "mail", "for ada only");
    await until(async () => !await sessions.hasSession(key), "ada's session expired");
    await bob.request("login", "bob");
    await bob.close();
    await until(() => running.server.activeSessionsCount === 0, "bob's connection is gone");
    await bobAgain.restoreSession(key);
    assert.equal((await bobAgain.request("whoami")).text(), "bob");
    assert.deepEqual(signals, []);
  } finally {
    await Promise.all([ada.close(), bob.close(), bobAgain.close()]);
    await running.close();
    await sessions.close();
  }
});
