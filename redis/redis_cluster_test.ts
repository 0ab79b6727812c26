import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { Client } from "../client/client.ts";
import {
  InternalError,
  MaxSessionConnectionsError,
  SessionNotFoundError,
} from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { connectPeer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();
let prefixCount = 0;

interface Node {
  running: StartedServer;
  cluster: RedisCluster;
  sessions: RedisSessionManager;
}

/** Three nodes on the three adapters, one Redis, a key prefix of their own. */
async function startCluster(
  maxSessionConnections = 0,
  offlineSignals?: ServerOptions["offlineSignals"],
): Promise<Node[]> {
  const keyPrefix = `test${++prefixCount}:`;
  const nodes: Node[] = [];
  for (const [index, adapter] of (["runtime", "hono", "node"] as const).entries()) {
    const sessions = new RedisSessionManager(redis.url, {
      keyPrefix,
      commandTimeout: 500,
      logger: silentLogger,
    });
    const cluster = new RedisCluster(redis.url, {
      keyPrefix,
      commandTimeout: 500,
      nodeTtl: 1500,
      logger: silentLogger,
    });
    const holder: { server?: Server } = {};
    const running = await startServer({
      adapter,
      sessionManager: sessions,
      cluster,
      maxSessionConnections,
      ...(offlineSignals === undefined ? {} : { offlineSignals }),
      logger: silentLogger,
      ...clusterNodeService(() => holder.server!, `node-${index + 1}`),
    });
    holder.server = running.server;
    await running.server.clusterJoined;
    nodes.push({ running, cluster, sessions });
  }
  return nodes;
}

async function stopCluster(nodes: Node[]): Promise<void> {
  for (const node of nodes) {
    await node.running.close();
    await node.sessions.close();
  }
}

interface Peer {
  client: Client;
  signals: string[];
}

async function connect(node: Node, key?: string): Promise<Peer> {
  const peer = await connectPeer(node);
  if (key !== undefined) await peer.client.restoreSession(key);
  return peer;
}

async function login(node: Node, user: string): Promise<Peer & { key: string }> {
  const peer = await connect(node);
  await peer.client.request("login", user);
  await until(() => peer.client.session !== null, "logged in");
  return { ...peer, key: peer.client.session!.key };
}

const admin = (peer: Peer, name: string, value: unknown) =>
  peer.client.request(`admin:${name}`, typeof value === "string" ? value : JSON.stringify(value))
    .then((reply) => reply.text());

test("sessions, session signals, topics and broadcast span the nodes of a cluster", async () => {
  const nodes = await startCluster();
  const peers: Peer[] = [];
  try {
    const ada = await login(nodes[0], "ada");
    const adaAgain = await connect(nodes[1], ada.key);
    const third = await connect(nodes[2]);
    peers.push(ada, adaAgain, third);
    assert.equal(adaAgain.client.session?.key, ada.key, "restored on another node");
    assert.equal(await admin(third, "count", ada.key), "2");

    assert.equal(
      await admin(third, "signal-session", { key: ada.key, name: "m", payload: "1" }),
      "0",
    );
    await until(() => ada.signals.length === 1 && adaAgain.signals.length === 1, "both got it");
    assert.deepEqual([ada.signals, adaAgain.signals], [["m:1"], ["m:1"]]);
    assert.deepEqual(third.signals, []);

    await adaAgain.client.request("join", "room");
    await third.client.request("join", "room");
    assert.equal(await admin(ada, "publish", { topic: "room", name: "t", payload: "hi" }), "0");
    await until(() => third.signals.includes("t:hi") && adaAgain.signals.includes("t:hi"), "topic");
    assert.ok(!ada.signals.includes("t:hi"), "node 1's connection did not subscribe");

    // The count is of this node's connections; the others deliver to theirs.
    assert.equal(await admin(adaAgain, "broadcast", { name: "b", payload: "all" }), "1");
    await until(() => peers.every((peer) => peer.signals.includes("b:all")), "broadcast");

    const closed = [0, 1].map((i) =>
      new Promise<void>((resolve) =>
        peers[i].client.addEventListener("sessionclosed", () => resolve())
      )
    );
    assert.equal(await admin(third, "close-session", ada.key), "0");
    await Promise.all(closed);
    await until(async () => (await admin(third, "count", ada.key)) === "0", "slots freed");
    const late = await connect(nodes[2]);
    peers.push(late);
    await assert.rejects(late.client.restoreSession(ada.key), SessionNotFoundError);
  } finally {
    for (const peer of peers) await peer.client.close();
    await stopCluster(nodes);
  }
});

test("maxSessionConnections counts the connections of every node", async () => {
  const nodes = await startCluster(2);
  const peers: Peer[] = [];
  try {
    const ada = await login(nodes[0], "ada");
    peers.push(ada, await connect(nodes[1], ada.key));
    const third = await connect(nodes[2]);
    peers.push(third);
    await assert.rejects(third.client.restoreSession(ada.key), MaxSessionConnectionsError);
    await peers[1].client.close();
    await until(async () => (await admin(third, "count", ada.key)) === "1", "slot freed");
    await third.client.restoreSession(ada.key);
    assert.equal(third.client.session?.key, ada.key);
  } finally {
    for (const peer of peers) await peer.client.close();
    await stopCluster(nodes);
  }
});

test("signals to a session held nowhere are kept and replayed in order on any node", async () => {
  // The cluster keeps them under its own bounds: a server's own offlineSignals bounds are not
  // used, not even checked (this maxBytes is above half of maxSendBuffer).
  const nodes = await startCluster(0, { maxCount: 1, maxBytes: 64 * 1024 * 1024 });
  const peers: Peer[] = [];
  try {
    const ada = await login(nodes[0], "ada");
    const other = await connect(nodes[2]);
    peers.push(other);
    await ada.client.close();
    await until(async () => (await admin(other, "count", ada.key)) === "0", "ada left");
    for (let i = 1; i <= 5; i++) {
      await admin(other, "signal-session", { key: ada.key, name: "n", payload: String(i) });
    }
    const back = await connect(nodes[1], ada.key);
    peers.push(back);
    await until(() => back.signals.length === 5, "the kept signals were replayed");
    assert.deepEqual(back.signals, ["n:1", "n:2", "n:3", "n:4", "n:5"]);
    assert.equal(
      await admin(other, "signal-session", { key: ada.key, name: "n", payload: "6" }),
      "0",
    );
    await until(() => back.signals.length === 6, "a live one follows");
  } finally {
    for (const peer of peers) await peer.client.close();
    await stopCluster(nodes);
  }
});

test("a Redis restart: requests go on, sessions fail cleanly, pushes come back by themselves", async () => {
  const nodes = await startCluster();
  const peers: Peer[] = [];
  try {
    const listener = await connect(nodes[1]);
    const sender = await connect(nodes[0]);
    peers.push(listener, sender);
    await redis.server.pause();
    assert.equal(await sender.client.request("whereami").then((r) => r.text()), "node-1");
    await assert.rejects(sender.client.request("login", "ada"), InternalError);
    assert.equal(await admin(sender, "broadcast", { name: "b", payload: "down" }), "1");
    await until(() => nodes[0].running.server.clusterErrors >= 1, "the failed relay is counted");
    await redis.server.start();
    await until(
      async () => {
        await admin(sender, "broadcast", { name: "b", payload: "up" });
        await new Promise((resolve) => setTimeout(resolve, 50));
        return listener.signals.includes("b:up");
      },
      "pushes cross nodes again",
      10_000,
    );
    assert.ok(!listener.signals.includes("b:down"), "what failed was not delivered late");
    const ada = await login(nodes[2], "ada");
    peers.push(ada);
    peers.push(await connect(nodes[0], ada.key));
  } finally {
    for (const peer of peers) await peer.client.close();
    await stopCluster(nodes);
  }
});

test("a cluster refuses an ioredis client with a key prefix of its own", async () => {
  // ioredis would prefix the keys of a command but not the key names its scripts build.
  const prefixed = new Redis(redis.url, { lazyConnect: true, keyPrefix: "app:" });
  const plain = new Redis(redis.url, { lazyConnect: true });
  try {
    assert.throws(() => new RedisCluster(prefixed), /keyPrefix/);
    await new RedisCluster(plain, { keyPrefix: "app:" }).leave();
  } finally {
    prefixed.disconnect();
    plain.disconnect();
  }
});
