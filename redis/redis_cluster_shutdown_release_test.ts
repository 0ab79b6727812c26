// A graceful shutdown of a cluster node on a real redis-server: every session its connections
// held is released before the node leaves the cluster, so that each one's idle clock runs in
// Redis (none is left stored for good, restorable with no TTL).
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
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

test("a node's shutdown starts the idle clock of every session its connections held", async () => {
  const keyPrefix = "shutrelease:";
  const idleTimeout = 60_000;
  const node = await startRedisNode({
    clusterUrl: redis.url,
    keyPrefix,
    nodeTtl: 3000,
    sessions: new RedisSessionManager(redis.url, { keyPrefix, logger: silentLogger }),
    server: { sessionIdleTimeout: idleTimeout },
  });
  const probe = new Redis(redis.url);
  const peers: Peer[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const peer = await connectPeer(node);
      peers.push(peer);
      await peer.client.request("login", `user ${i}`);
      await until(() => peer.client.session !== null, `user ${i} logged in`);
    }
    const keys = peers.map((peer) => peer.client.session!.key);
    const ttlOf = async (key: string) =>
      Number(await probe.call("PTTL", `${keyPrefix}session:${key}`));
    for (const key of keys) assert.ok(await ttlOf(key) > idleTimeout, "held: a lease, no idle TTL");
    await node.stop();
    const ttls = await Promise.all(keys.map(ttlOf));
    const withoutTtl = ttls.filter((ttl) => !(ttl > 0 && ttl <= idleTimeout)).length;
    assert.equal(withoutTtl, 0, `sessions left with no idle clock: ${ttls.join(", ")}`);
  } finally {
    for (const peer of peers) await peer.client.close();
    probe.disconnect();
  }
});

test("a node's shutdown while its cluster link is cut still ends within the command timeouts", async () => {
  const keyPrefix = "shutcut:";
  const proxy = await startCuttableProxy(redis.server.port);
  const node = await startRedisNode({
    clusterUrl: proxy.url,
    keyPrefix,
    nodeTtl: 3000,
    sessions: new RedisSessionManager(redis.url, { keyPrefix, logger: silentLogger }),
    server: { sessionIdleTimeout: 60_000 },
  });
  const peers: Peer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const peer = await connectPeer(node);
      peers.push(peer);
      await peer.client.request("login", `user ${i}`);
      await until(() => peer.client.session !== null, `user ${i} logged in`);
    }
    proxy.cut();
    const started = performance.now();
    await node.stop();
    const took = performance.now() - started;
    // Each release waits at most a command timeout (300 ms) per step, all at once.
    assert.ok(took < 3000, `shutdown took ${Math.round(took)} ms`);
  } finally {
    for (const peer of peers) await peer.client.close();
    await proxy.close();
  }
});
