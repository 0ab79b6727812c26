// A node's session slots in Redis are repaired when a step could not reach Redis or Redis had
// forgotten the node: the node writes its true count at its next heartbeat, and a session that
// nobody holds then gets its idle clock. A node that died without leaving is swept by the live
// ones. Real redis-server, a real TCP cut in between.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { connectPeer, type Peer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startRedisNode } from "../testing/redis_node.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();
let prefixes = 0;

/** A Redis session manager whose first release notice fails (its store hiccups once). */
class FirstReleaseFails extends RedisSessionManager {
  failures = 1;
  override async onSessionReleased(key: string): Promise<void> {
    if (this.failures-- > 0) throw new Error("the store hiccups");
    await super.onSessionReleased(key);
  }
}

const idleTimeout = 60_000;

/** Whether a PTTL is an idle TTL: a held session's lease is longer than the idle timeout. */
const isIdle = (ttl: number) => ttl > 0 && ttl <= idleTimeout;

/** A node whose cluster link reaches Redis through `clusterUrl`; sessions go straight to it. */
function startNode(
  keyPrefix: string,
  clusterUrl: string | Redis,
  nodeTtl: number,
  firstReleaseFails = false,
) {
  const Manager = firstReleaseFails ? FirstReleaseFails : RedisSessionManager;
  return startRedisNode({
    clusterUrl,
    keyPrefix,
    nodeTtl,
    sessions: new Manager(redis.url, { keyPrefix, logger: silentLogger }),
    server: { maxSessionConnections: 1, sessionIdleTimeout: idleTimeout },
  });
}

async function login(peer: Peer): Promise<string> {
  await peer.client.request("login", "ada");
  await until(() => peer.client.session !== null, "logged in");
  return peer.client.session!.key;
}

test("a slot a node could not give back is given back once Redis answers, and the session idles", async () => {
  const keyPrefix = `repair${++prefixes}:`;
  const proxy = await startCuttableProxy(redis.server.port);
  const node = await startNode(keyPrefix, proxy.url, 10_000);
  const counter = new RedisCluster(redis.url, { keyPrefix, logger: silentLogger });
  const probe = new Redis(redis.url);
  const peers: Peer[] = [];
  try {
    const ada = await connectPeer(node);
    const key = await login(ada);
    assert.equal(await counter.sessionConnectionCount(key), 1);
    const ttl = await probe.call("PTTL", `${keyPrefix}session:${key}`) as number;
    assert.ok(ttl > idleTimeout, `held: a lease, no idle TTL (${ttl})`);
    proxy.cut();
    await ada.client.close(); // the connection ends while the node cannot reach Redis
    await until(() => node.running.server.sessionConnections(key).length === 0, "it let go");
    await new Promise((resolve) => setTimeout(resolve, 600)); // its release timed out
    proxy.heal();
    await until(async () => await counter.sessionConnectionCount(key) === 0, "slot given back");
    await until(
      async () => isIdle(await probe.call("PTTL", `${keyPrefix}session:${key}`) as number),
      "the session's idle clock started",
    );
    const again = await connectPeer(node);
    peers.push(again);
    await again.client.restoreSession(key); // one connection allowed: the slot is free
    assert.equal(again.client.session?.key, key);
  } finally {
    for (const peer of peers) await peer.client.close();
    probe.disconnect();
    await counter.leave();
    await node.stop();
    await proxy.close();
  }
});

test("a node that Redis forgot writes its slots again at its next heartbeat, and holds its sessions", async () => {
  const keyPrefix = `repair${++prefixes}:`;
  const node = await startNode(keyPrefix, redis.url, 600);
  const counter = new RedisCluster(redis.url, { keyPrefix, logger: silentLogger });
  const probe = new Redis(redis.url);
  const peers: Peer[] = [];
  try {
    const ada = await connectPeer(node);
    peers.push(ada);
    const key = await login(ada);
    assert.equal(await counter.sessionConnectionCount(key), 1);
    // As if its heartbeat key had expired during a long cut and another node had swept it as
    // dead: its field gone, the session's idle clock started. In one step, before its next beat.
    const nodeKeys = await probe.call("KEYS", `${keyPrefix}node:*`) as string[];
    assert.equal(nodeKeys.length, 1);
    const sessionKey = `${keyPrefix}session:${key}`;
    await probe.eval(
      "redis.call('DEL', KEYS[1]); redis.call('DEL', KEYS[2]); redis.call('PEXPIRE', KEYS[3], 60000)",
      3,
      nodeKeys[0],
      `${keyPrefix}holders:${key}`,
      sessionKey,
    );
    await until(async () => await counter.sessionConnectionCount(key) === 1, "written again");
    await until(
      async () => (await probe.call("PTTL", sessionKey) as number) > idleTimeout,
      "held again: a lease, no idle TTL",
    );
    const second = await connectPeer(node);
    peers.push(second);
    await assert.rejects(second.client.restoreSession(key), { name: "MaxSessionConnectionsError" });
  } finally {
    for (const peer of peers) await peer.client.close();
    probe.disconnect();
    await counter.leave();
    await node.stop();
  }
});

test("the sessions of a node that died without leaving get their idle clock, and no key is left", async () => {
  const keyPrefix = `repair${++prefixes}:`;
  const deadLink = new Redis(redis.url);
  const dead = await startNode(keyPrefix, deadLink, 600);
  // The live node's first release notice fails: the session is reported again, not forgotten.
  const live = await startNode(keyPrefix, redis.url, 600, true);
  const probe = new Redis(redis.url);
  const peers: Peer[] = [];
  try {
    const ada = await connectPeer(dead);
    peers.push(ada);
    const key = await login(ada);
    const sessionKey = `${keyPrefix}session:${key}`;
    const ttl = await probe.call("PTTL", sessionKey) as number;
    assert.ok(ttl > idleTimeout, `held: a lease, no idle TTL (${ttl})`);
    assert.equal(await probe.call("SCARD", `${keyPrefix}nodes`), 2);
    deadLink.disconnect(); // as if killed: no more heartbeats, no leave
    await until(
      async () => isIdle(await probe.call("PTTL", sessionKey) as number),
      "the live node swept the dead one and started the session's idle clock",
      5000,
    );
    await until(
      async () => await probe.call("SCARD", `${keyPrefix}nodes`) === 1,
      "dead node forgotten",
    );
    // The released hash empties once the release worked (just before or just after the TTL is seen).
    const leftOver = async () =>
      (await probe.call("KEYS", `${keyPrefix}*`) as string[]).filter((name) =>
        !name.startsWith(`${keyPrefix}session:`) && !name.includes("node")
      );
    await until(async () => (await leftOver()).length === 0, "no holders, slots or idle key left");
    await new Promise((resolve) => setTimeout(resolve, 300)); // two more heartbeats
    assert.deepEqual(await leftOver(), [], "and none comes back");
  } finally {
    for (const peer of peers) await peer.client.close();
    probe.disconnect();
    await live.stop();
    await dead.stop();
  }
});
