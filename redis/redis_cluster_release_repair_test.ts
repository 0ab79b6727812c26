// A release that left a session with no holder but whose notice to the session manager failed (a
// Redis blip, or the node died in between), on a real redis-server: the session waits in the
// cluster's released hash, and a heartbeat's sweep reports it again, so that its idle clock starts
// after all (before, it stayed stored with no TTL for good).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { connectPeer, type Peer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type RedisNode, startRedisNode } from "../testing/redis_node.ts";
import { until } from "../testing/until.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

/** A Redis session manager that counts its release notices; the first `failing` fail. */
class CountingManager extends RedisSessionManager {
  releaseNotices = 0;
  failing = 0;

  override async onSessionReleased(key: string): Promise<void> {
    if (++this.releaseNotices <= this.failing) throw new Error("a blip on the way");
    await super.onSessionReleased(key);
  }
}

/** A node of its own under `keyPrefix`, whose first `failing` release notices fail. */
interface RepairNode {
  readonly node: RedisNode;
  readonly sessions: CountingManager;
  /** A client of the test's own on the redis-server. */
  readonly probe: Redis;
  /** The session's stored key's time to live (ms; -1 without, -2 gone). */
  ttl(key: string): Promise<number>;
  /** How many sessions are in the released hash. */
  idle(): Promise<number>;
  /** Resolves once the node's heartbeat has renewed its key `beats` more times. */
  heartbeats(beats: number): Promise<void>;
  /** Logs a new client in; resolves to it and its session key. */
  login(user: string): Promise<{ peer: Peer; key: string }>;
  stop(): Promise<void>;
}

const idleTimeout = 60_000;

/** Whether a PTTL is an idle TTL: a held session's lease is longer than the idle timeout. */
const isIdle = (ttl: number) => ttl > 0 && ttl <= idleTimeout;

async function startRepairNode(
  keyPrefix: string,
  options: { failing?: number; nodeTtl: number; clusterUrl?: string },
): Promise<RepairNode> {
  const sessions = new CountingManager(redis.url, { keyPrefix, logger: silentLogger });
  sessions.failing = options.failing ?? 0;
  const node = await startRedisNode({
    clusterUrl: options.clusterUrl ?? redis.url,
    keyPrefix,
    nodeTtl: options.nodeTtl,
    sessions,
    server: { sessionIdleTimeout: idleTimeout },
  });
  const probe = new Redis(redis.url);
  const beat = async () => {
    const [nodeKey] = await probe.call("KEYS", `${keyPrefix}node:*`) as string[];
    return Number(String(await probe.call("GET", nodeKey)).replace("fresh:", ""));
  };
  return {
    node,
    sessions,
    probe,
    ttl: async (key) => Number(await probe.call("PTTL", `${keyPrefix}session:${key}`)),
    idle: async () => Number(await probe.call("HLEN", `${keyPrefix}released`)),
    heartbeats: async (beats) => {
      const first = await beat();
      await until(async () => await beat() >= first + beats, `${beats} heartbeats`);
    },
    login: async (user) => {
      const peer = await connectPeer(node);
      await peer.client.request("login", user);
      await until(() => peer.client.session !== null, `${user} logged in`);
      return { peer, key: peer.client.session!.key };
    },
    async stop() {
      probe.disconnect();
      await node.stop();
    },
  };
}

test("a release whose notice failed is reported again until the session's idle clock runs", async () => {
  // Heartbeats (and sweeps) every 300 ms.
  const repair = await startRepairNode("releaserepair:", { failing: 1, nodeTtl: 900 });
  const { sessions } = repair;
  try {
    const { peer, key } = await repair.login("ada");
    await peer.client.close();
    await until(() => sessions.releaseNotices === 1, "the first notice failed");
    await until(() => sessions.releaseNotices === 2, "reported again by a sweep", 5000);
    await until(async () => isIdle(await repair.ttl(key)), "its idle clock runs");
    await until(async () => await repair.idle() === 0, "the released hash is empty again");
    assert.equal(sessions.releaseNotices, 2, "reported once more, not at every heartbeat");
  } finally {
    await repair.stop();
  }
});

// Heartbeats every second below: a sweep rarely comes within the few round trips of a step, and
// never reports a session again once the released hash is empty.

test("a release the node told its session manager of leaves nothing in the released hash", async () => {
  const repair = await startRepairNode("releaseclean:", { nodeTtl: 3000 });
  try {
    const { peer, key } = await repair.login("bob");
    // Just after a heartbeat: the release is over long before the next sweep.
    await repair.heartbeats(1);
    await peer.client.close();
    await until(async () => isIdle(await repair.ttl(key)), "its idle clock runs");
    await until(async () => await repair.idle() === 0, "released hash empty");
    // A sweep may have come between the release's two steps (a stalled process) and reported it
    // once more; none reports it after.
    const notices = repair.sessions.releaseNotices;
    assert.ok(notices === 1 || notices === 2, `${notices} notices`);
    await repair.heartbeats(2);
    assert.equal(repair.sessions.releaseNotices, notices, "no sweep reported it again");
  } finally {
    await repair.stop();
  }
});

test("a logout leaves nothing in the released hash for a sweep to report", async () => {
  const repair = await startRepairNode("releaselogout:", { nodeTtl: 3000 });
  try {
    const { peer, key } = await repair.login("cy");
    await repair.heartbeats(1);
    await peer.client.closeSession();
    await until(async () => await repair.ttl(key) === -2, "gone");
    await until(async () => await repair.idle() === 0, "released hash empty");
    // A sweep between the logout's steps (a stalled process) may report it once; none after.
    const notices = repair.sessions.releaseNotices;
    assert.ok(notices <= 1, `${notices} notices`);
    await repair.heartbeats(2);
    assert.equal(
      repair.sessions.releaseNotices,
      notices,
      "no sweep reported the logged-out session",
    );
    await peer.client.close();
  } finally {
    await repair.stop();
  }
});

test("a release whose slot step failed during a cut, and whose notices then failed, is repaired", async () => {
  const proxy = await startCuttableProxy(redis.server.port);
  const repair = await startRepairNode("releasecut:", {
    failing: 2,
    nodeTtl: 3000,
    clusterUrl: proxy.url,
  });
  const { sessions } = repair;
  try {
    const { peer, key } = await repair.login("di");
    proxy.cut();
    await peer.client.close();
    await until(() => repair.node.running.server.connectionCount === 0, "the connection ended");
    // The give-back of its slot times out (300 ms): the heartbeat writes the true count later.
    await new Promise((resolve) => setTimeout(resolve, 700));
    proxy.heal();
    await until(
      async () => isIdle(await repair.ttl(key)),
      `its idle clock runs after ${sessions.failing} failed notices`,
      8000,
    );
    assert.ok(sessions.releaseNotices > sessions.failing);
  } finally {
    await repair.stop();
    await proxy.close();
  }
});
