// A Redis paused (SIGSTOP) longer than the nodes' timeouts and nodeTtl, then resumed (SIGCONT):
// the cluster must work again by itself. Real redis-server, two in-process nodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Client } from "../client/client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { connectPeer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Server } from "../server/server.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

interface Node {
  running: StartedServer;
  cluster: RedisCluster;
  sessions: RedisSessionManager;
}

async function startNode(index: number): Promise<Node> {
  const keyPrefix = "freeze:";
  const sessions = new RedisSessionManager(redis.url, {
    keyPrefix,
    commandTimeout: 300,
    logger: silentLogger,
  });
  const cluster = new RedisCluster(redis.url, {
    keyPrefix,
    commandTimeout: 300,
    nodeTtl: 900,
    logger: silentLogger,
  });
  const holder: { server?: Server } = {};
  const running = await startServer({
    adapter: "runtime",
    sessionManager: sessions,
    cluster,
    maxSessionConnections: 2,
    logger: silentLogger,
    ...clusterNodeService(() => holder.server!, `node-${index}`),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  return { running, cluster, sessions };
}

interface Peer {
  client: Client;
  signals: string[];
}

const admin = (peer: Peer, name: string, value: unknown) =>
  peer.client.request(`admin:${name}`, typeof value === "string" ? value : JSON.stringify(value))
    .then((reply) => reply.text());

test("after Redis was paused past nodeTtl, signals, slots and logins work again", async () => {
  const nodes = [await startNode(1), await startNode(2)];
  const peers: Peer[] = [];
  try {
    const ada = await connectPeer(nodes[0]);
    peers.push(ada);
    await ada.client.request("login", "ada");
    await until(() => ada.client.session !== null, "logged in");
    const key = ada.client.session!.key;
    const adaToo = await connectPeer(nodes[1]);
    peers.push(adaToo);
    await adaToo.client.restoreSession(key);
    let closed = 0;
    for (const peer of [ada, adaToo]) {
      peer.client.addEventListener("sessionclosed", () => closed++);
    }
    redis.server.freeze();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    redis.server.resume();
    let sent = 0;
    await until(
      async () => {
        await admin(ada, "signal-session", { key, name: "m", payload: String(++sent) });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return adaToo.signals.some((s) => s.startsWith("m:"));
      },
      "session signals cross nodes again",
      10_000,
    );
    // Both slots count again: a third connection is refused by the limit of 2.
    await until(async () => (await admin(ada, "count", key)) === "2", "slots counted", 5000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await admin(adaToo, "count", key), "2", "slots still counted");
    assert.equal(closed, 0, "the session was not closed");
    const bob = await connectPeer(nodes[1]);
    peers.push(bob);
    await bob.client.request("login", "bob");
    await until(() => bob.client.session !== null, "a login works again");
  } finally {
    for (const peer of peers) await peer.client.close();
    for (const node of nodes) {
      await node.running.close();
      await node.sessions.close();
    }
  }
});
