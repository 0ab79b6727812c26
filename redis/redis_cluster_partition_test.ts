// A node's link to Redis that stops answering while TCP stays up (a partition, a proxy holding
// bytes): the connection is taken for dead and reset once a call on it times out (the pub/sub
// one is pinged at each heartbeat for that), so what was held up is dropped, never delivered
// late, and nothing piles up in the client. Real redis-server, a proxy that holds bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import type { ClusterMessage } from "../server/cluster.ts";
import { startPartitionProxy } from "../testing/partition_proxy.ts";
import { RecordingClusterNode } from "../testing/recording_cluster_node.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisUnavailableError } from "./errors.ts";
import { RedisCluster } from "./redis_cluster.ts";

const redis = redisFixture();
let prefixes = 0;

function node(url: string, keyPrefix: string): RedisCluster {
  return new RedisCluster(url, {
    keyPrefix,
    nodeTtl: 600,
    commandTimeout: 300,
    logger: silentLogger,
  });
}

function broadcast(text: string): ClusterMessage {
  return { kind: "broadcast", signal: new TextEncoder().encode(text) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Publishes until the node's link takes it again (it reconnects after the partition). */
async function publishOnceBack(cluster: RedisCluster, message: ClusterMessage): Promise<void> {
  await until(() => cluster.publish(message).then(() => true, () => false), "published");
}

test("pushes that failed during a partition of the command link are not delivered late", async () => {
  const keyPrefix = `partition${++prefixes}:`;
  const proxy = await startPartitionProxy(redis.server.port);
  const a = node(proxy.url, keyPrefix);
  const b = node(redis.url, keyPrefix);
  const onB = new RecordingClusterNode();
  try {
    await a.join(new RecordingClusterNode());
    await b.join(onB);
    await a.publish(broadcast("before"));
    await until(() => onB.texts().includes("before"), "B got the push before");

    proxy.partition();
    const during: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      during.push(a.publish(broadcast(`during-${i}`)).then(() => "relayed", (error) => error));
      await delay(100);
    }
    for (const result of await Promise.all(during)) {
      assert.ok(result instanceof RedisUnavailableError, String(result));
    }
    await until(() => proxy.ended >= 1, "the dead link was reset"); // the partition outlasts it
    proxy.heal();
    await publishOnceBack(a, broadcast("after"));
    await until(() => onB.texts().includes("after"), "B got the push after");
    await delay(100);
    assert.deepEqual(onB.texts(), ["before", "after"], "no failed push came late");
  } finally {
    await a.leave();
    await b.leave();
    await proxy.close();
  }
});

test("a pub/sub link that stops answering is reset: what it held is dropped, the node catches up", async () => {
  const keyPrefix = `partition${++prefixes}:`;
  const proxy = await startPartitionProxy(redis.server.port);
  const a = node(proxy.url, keyPrefix);
  const b = node(redis.url, keyPrefix);
  const onA = new RecordingClusterNode();
  try {
    await a.join(onA);
    await b.join(new RecordingClusterNode());
    await b.publish(broadcast("before"));
    await until(() => onA.texts().includes("before"), "A got the push before");

    proxy.partition();
    await b.publish(broadcast("held")); // Redis sent it; the partition holds it
    // A's next heartbeat (every 200 ms) pings its pub/sub connection, which times out (300 ms);
    // both of A's links are reset (a stalled process may need longer than the second).
    await delay(1000);
    await until(() => proxy.ended >= 2, "A's links were reset");
    proxy.heal();
    await until(() => onA.missedCount === 1, "A subscribed again and said it may have missed some");
    await b.publish(broadcast("after"));
    await until(() => onA.texts().includes("after"), "A got the push after");
    await delay(100);
    assert.deepEqual(onA.texts(), ["before", "after"], "the held push did not come late");
  } finally {
    await a.leave();
    await b.leave();
    await proxy.close();
  }
});
