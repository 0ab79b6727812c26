// Pushes that failed while Redis was down must not stay in memory until it is back: a long
// outage would grow the process without bound. Real redis-server, stopped mid-test.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { silentLogger } from "../protocol/logger.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { RecordingClusterNode } from "../testing/recording_cluster_node.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { RedisUnavailableError } from "./errors.ts";
import { RedisCluster } from "./redis_cluster.ts";

const redis = redisFixture();

function arrayBytes(): number {
  heapAfterGc();
  const { external, arrayBuffers } = process.memoryUsage();
  return Math.max(external, arrayBuffers);
}

/**
 * A node joined with a 20 ms command timeout (each failed push then fails fast). Under a loaded
 * machine a join's first command can miss those 20 ms: it is tried again, with a new link.
 */
async function joinedCluster(): Promise<RedisCluster> {
  for (let attempt = 1;; attempt++) {
    const cluster = new RedisCluster(redis.url, {
      keyPrefix: "outage-memory:",
      nodeTtl: 60_000,
      commandTimeout: 20,
      logger: silentLogger,
    });
    try {
      await cluster.join(new RecordingClusterNode());
      return cluster;
    } catch (error) {
      await cluster.leave().catch(() => {});
      if (!(error instanceof RedisUnavailableError) || attempt === 10) throw error;
    }
  }
}

test("pushes that failed during an outage are not held until Redis is back", async () => {
  const cluster = await joinedCluster();
  try {
    await redis.server.pause();
    const before = arrayBytes();
    const size = 256 * 1024;
    const pushes = 160;
    for (let i = 0; i < pushes; i++) {
      const signal = new Uint8Array(size).fill(i);
      const error = await cluster.publish({ kind: "broadcast", signal }).catch((e) => e);
      assert.ok(error instanceof RedisUnavailableError, String(error));
    }
    const grown = arrayBytes() - before;
    // 160 failed pushes of 256 KiB: 40 MiB if each stays reachable; what a garbage collector
    // has not given back yet (Bun's) stays far below.
    assert.ok(grown < 16 * size, `failed pushes still held: ${grown} bytes`);
  } finally {
    await redis.server.start();
    await cluster.leave();
  }
});
