// What Redis may hold that is no longer true, on a real redis-server: holder fields of sessions
// a node no longer holds (Redis restarted from an RDB snapshot, or failed over to a replica
// that lagged), whether the snapshot's node key had expired or not; and a close of a session
// that a node could not publish for longer than its server tries (a long cut of its link).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { RecordingClusterNode } from "../testing/recording_cluster_node.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisUnavailableError } from "./errors.ts";
import { RedisCluster } from "./redis_cluster.ts";

/** A client of the test's own, to write what a snapshot would bring back. */
let admin: Redis;

const redis = redisFixture({
  started: (server) => void (admin = new Redis(server.url)),
  stopping: () => admin?.disconnect(),
});
let prefixes = 0;

function node(url: string, keyPrefix: string): RedisCluster {
  return new RedisCluster(url, {
    keyPrefix,
    nodeTtl: 600,
    commandTimeout: 300,
    logger: silentLogger,
  });
}

for (const nodeKey of ["expired", "alive"]) {
  test(`holder fields a snapshot brings back are dropped (its node key ${nodeKey})`, async () => {
    const keyPrefix = `stale${++prefixes}:`;
    const a = node(redis.url, keyPrefix);
    const onA = new RecordingClusterNode();
    try {
      await a.join(onA);
      // As Redis restarted from a snapshot taken while A held session "ada" would have it.
      if (nodeKey === "expired") await admin.del(`${keyPrefix}node:${a.nodeId}`);
      await admin.hset(`${keyPrefix}holders:ada`, a.nodeId, 2);
      await admin.sadd(`${keyPrefix}slots:${a.nodeId}`, "ada");
      // With its node key back, A's field would count for ever.
      if (nodeKey === "alive") assert.equal(await a.sessionConnectionCount("ada"), 2);
      await until(() => onA.releasedKeys.includes("ada"), "A reported the session idle");
      assert.equal(await a.sessionConnectionCount("ada"), 0);
      assert.equal(await admin.exists(`${keyPrefix}holders:ada`), 0);
      assert.equal(await admin.sismember(`${keyPrefix}slots:${a.nodeId}`, "ada"), 0);
    } finally {
      await a.leave();
    }
  });
}

test("a close a node could not publish is published once its link is back", async () => {
  const keyPrefix = `stale${++prefixes}:`;
  const proxy = await startCuttableProxy(redis.server.port);
  const a = node(redis.url, keyPrefix);
  const b = node(proxy.url, keyPrefix);
  const onA = new RecordingClusterNode();
  try {
    await a.join(onA);
    await b.join(new RecordingClusterNode());
    proxy.cut();
    const failed = await b.publish({ kind: "close-session", key: "ada" }).catch((e) => e);
    assert.ok(failed instanceof RedisUnavailableError, String(failed));
    // Nobody tries it again (the server's tries would have given up after a long cut).
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.heal();
    await until(() => onA.closes().includes("ada"), "A heard of the close");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(onA.closes(), ["ada"], "once the link is back, it is published once");
  } finally {
    await a.leave();
    await b.leave();
    await proxy.close();
  }
});
