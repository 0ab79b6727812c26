// A release that left a session with no holder but whose notice to the session manager failed (a
// Redis blip, or the node died in between), on a real redis-server: the session waits in the
// cluster's idle set, and a heartbeat's sweep reports it again, so that its idle clock starts
// after all (before, it stayed stored with no TTL for good).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { connectPeer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startRedisNode } from "../testing/redis_node.ts";
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

/** Resolves once the node's heartbeat has renewed its key `beats` more times. */
async function heartbeats(probe: Redis, keyPrefix: string, beats: number): Promise<void> {
  const [nodeKey] = await probe.call("KEYS", `${keyPrefix}node:*`) as string[];
  const beat = async () => Number(String(await probe.call("GET", nodeKey)).replace("fresh:", ""));
  const first = await beat();
  await until(async () => await beat() >= first + beats, `${beats} heartbeats`);
}

test("a release whose notice failed is reported again until the session's idle clock runs", async () => {
  const keyPrefix = "releaserepair:";
  const sessions = new CountingManager(redis.url, { keyPrefix, logger: silentLogger });
  sessions.failing = 1;
  // Heartbeats (and sweeps) every 300 ms.
  const node = await startRedisNode({
    clusterUrl: redis.url,
    keyPrefix,
    nodeTtl: 900,
    sessions,
    server: { sessionIdleTimeout: 60_000 },
  });
  const probe = new Redis(redis.url);
  try {
    const peer = await connectPeer(node);
    await peer.client.request("login", "ada");
    await until(() => peer.client.session !== null, "logged in");
    const key = peer.client.session!.key;
    await peer.client.close();
    await until(() => sessions.releaseNotices === 1, "the first notice failed");
    await until(() => sessions.releaseNotices === 2, "reported again by a sweep", 5000);
    await until(
      async () => Number(await probe.call("PTTL", `${keyPrefix}session:${key}`)) > 0,
      "its idle clock runs",
    );
    await until(
      async () => await probe.call("SCARD", `${keyPrefix}idle`) === 0,
      "the idle set is empty again",
    );
    assert.equal(sessions.releaseNotices, 2, "reported once more, not at every heartbeat");
  } finally {
    probe.disconnect();
    await node.stop();
  }
});

test("a release the node told its session manager of leaves nothing in the idle set", async () => {
  const keyPrefix = "releaseclean:";
  const sessions = new CountingManager(redis.url, { keyPrefix, logger: silentLogger });
  const node = await startRedisNode({
    clusterUrl: redis.url,
    keyPrefix,
    // Heartbeats every second: a sweep rarely comes within the few round trips of the step.
    nodeTtl: 3000,
    sessions,
    server: { sessionIdleTimeout: 60_000 },
  });
  const probe = new Redis(redis.url);
  try {
    const peer = await connectPeer(node);
    await peer.client.request("login", "bob");
    await until(() => peer.client.session !== null, "logged in");
    const key = peer.client.session!.key;
    // Just after a heartbeat: the release is over long before the next sweep.
    await heartbeats(probe, keyPrefix, 1);
    await peer.client.close();
    await until(
      async () => Number(await probe.call("PTTL", `${keyPrefix}session:${key}`)) > 0,
      "its idle clock runs",
    );
    await until(async () => await probe.call("SCARD", `${keyPrefix}idle`) === 0, "idle set empty");
    await heartbeats(probe, keyPrefix, 2);
    assert.equal(sessions.releaseNotices, 1, "no sweep reported it again");
  } finally {
    probe.disconnect();
    await node.stop();
  }
});

test("a logout leaves nothing in the idle set for a sweep to report", async () => {
  const keyPrefix = "releaselogout:";
  const sessions = new CountingManager(redis.url, { keyPrefix, logger: silentLogger });
  const node = await startRedisNode({
    clusterUrl: redis.url,
    keyPrefix,
    // Heartbeats every second: a sweep rarely comes within the few round trips of the step.
    nodeTtl: 3000,
    sessions,
    server: { sessionIdleTimeout: 60_000 },
  });
  const probe = new Redis(redis.url);
  try {
    const peer = await connectPeer(node);
    await peer.client.request("login", "cy");
    await until(() => peer.client.session !== null, "logged in");
    const key = peer.client.session!.key;
    await heartbeats(probe, keyPrefix, 1);
    await peer.client.closeSession();
    await until(async () => await probe.call("EXISTS", `${keyPrefix}session:${key}`) === 0, "gone");
    await until(async () => await probe.call("SCARD", `${keyPrefix}idle`) === 0, "idle set empty");
    await heartbeats(probe, keyPrefix, 2);
    assert.equal(sessions.releaseNotices, 0, "no sweep reported the logged-out session");
    await peer.client.close();
  } finally {
    probe.disconnect();
    await node.stop();
  }
});

test("a release whose slot step failed during a cut, and whose notices then failed, is repaired", async () => {
  const keyPrefix = "releasecut:";
  const proxy = await startCuttableProxy(redis.server.port);
  const sessions = new CountingManager(redis.url, { keyPrefix, logger: silentLogger });
  sessions.failing = 2;
  const node = await startRedisNode({
    clusterUrl: proxy.url,
    keyPrefix,
    nodeTtl: 3000,
    sessions,
    server: { sessionIdleTimeout: 60_000 },
  });
  const probe = new Redis(redis.url);
  try {
    const peer = await connectPeer(node);
    await peer.client.request("login", "di");
    await until(() => peer.client.session !== null, "logged in");
    const key = peer.client.session!.key;
    proxy.cut();
    await peer.client.close();
    await until(() => node.running.server.connectionCount === 0, "the connection ended");
    // The give-back of its slot times out (300 ms): the heartbeat writes the true count later.
    await new Promise((resolve) => setTimeout(resolve, 700));
    proxy.heal();
    await until(
      async () => Number(await probe.call("PTTL", `${keyPrefix}session:${key}`)) > 0,
      `its idle clock runs after ${sessions.failing} failed notices`,
      8000,
    );
    assert.ok(sessions.releaseNotices > sessions.failing);
  } finally {
    probe.disconnect();
    await node.stop();
    await proxy.close();
  }
});
