// RedisCluster.releaseSessionKeeping on a real redis-server: the slot of a restore that gave up
// goes back, and the signals it held are kept in the same step only when no live node holds
// the session after it, within the offline bounds (older ones dropped and counted). And
// releaseSessionReturning: the slot of a connection that dropped while its restore wrote goes
// back with what it took and did not write (ahead of what is kept) and what it held (after).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { RecordingClusterNode } from "../testing/recording_cluster_node.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisCluster, type RedisClusterOptions } from "./redis_cluster.ts";

const redis = redisFixture();
let prefixes = 0;

const bytes = (text: string) => new TextEncoder().encode(text);

/** Two joined nodes on a key prefix of their own, and a probe of Redis. */
async function twoNodes(offlineSignals?: RedisClusterOptions["offlineSignals"]) {
  const keyPrefix = `keeping${++prefixes}:`;
  const options = { keyPrefix, logger: silentLogger, offlineSignals };
  const a = new RedisCluster(redis.url, options);
  const b = new RedisCluster(redis.url, options);
  const nodes = [new RecordingClusterNode(), new RecordingClusterNode()];
  await a.join(nodes[0]);
  await b.join(nodes[1]);
  const probe = new Redis(redis.url);
  /** The signals Redis keeps for `key`, as text, oldest first. */
  const kept = async (key: string) => {
    const entries = await probe.lrangeBuffer(`${keyPrefix}offline:${key}`, 0, -1);
    return entries.map((entry) => entry.subarray(8).toString());
  };
  const stop = async () => {
    probe.disconnect();
    await Promise.all([a.leave(), b.leave()]);
  };
  return { a, b, nodes, kept, stop };
}

test("the last slot's release keeps the held signals after those kept before it", async () => {
  const { a, b, kept, stop } = await twoNodes();
  try {
    await b.publish({ kind: "signal-session", key: "ada", signal: bytes("before") });
    assert.equal(await a.acquireSession("ada", 0), true);
    assert.equal(await a.releaseSessionKeeping("ada", [bytes("held 1"), bytes("held 2")]), 0);
    assert.deepEqual(await kept("ada"), ["before", "held 1", "held 2"]);
    assert.equal(await a.sessionConnectionCount("ada"), 0);
  } finally {
    await stop();
  }
});

test("a release that leaves a holder keeps nothing: the holder got the held signals", async () => {
  const { a, b, kept, stop } = await twoNodes();
  try {
    assert.equal(await b.acquireSession("ada", 0), true);
    assert.equal(await a.acquireSession("ada", 0), true);
    assert.equal(await a.releaseSessionKeeping("ada", [bytes("held")]), 1);
    assert.deepEqual(await kept("ada"), []);
  } finally {
    await stop();
  }
});

test("held signals kept with a release count against the bound, dropping the oldest", async () => {
  const { a, b, kept, stop } = await twoNodes({ maxCount: 2 });
  try {
    await b.publish({ kind: "signal-session", key: "ada", signal: bytes("before") });
    assert.equal(await a.acquireSession("ada", 0), true);
    await a.releaseSessionKeeping("ada", [bytes("held 1"), bytes("held 2")]);
    assert.deepEqual(await kept("ada"), ["held 1", "held 2"]);
    assert.equal(a.droppedOfflineSignals, 1);
  } finally {
    await stop();
  }
});

test("a node that keeps no offline signals releases without keeping", async () => {
  const { a, kept, stop } = await twoNodes(false);
  try {
    assert.equal(await a.acquireSession("ada", 0), true);
    assert.equal(await a.releaseSessionKeeping("ada", [bytes("held")]), 0);
    assert.deepEqual(await kept("ada"), []);
    assert.equal(await a.sessionConnectionCount("ada"), 0);
  } finally {
    await stop();
  }
});

test("a dropped restore's release puts what it took ahead of what is kept, what it held after", async () => {
  const { a, b, nodes, kept, stop } = await twoNodes();
  try {
    await b.publish({ kind: "signal-session", key: "ada", signal: bytes("kept since") });
    assert.equal(await a.acquireSession("ada", 0), true);
    const taken = [bytes("taken 1"), bytes("taken 2")];
    assert.equal(await a.releaseSessionReturning("ada", taken, [bytes("held")]), 0);
    assert.deepEqual(await kept("ada"), ["taken 1", "taken 2", "kept since", "held"]);
    assert.equal(await a.sessionConnectionCount("ada"), 0);
    assert.deepEqual(nodes[0].texts(), [], "delivered to nobody");
  } finally {
    await stop();
  }
});

test("a dropped restore's release gives what it took to the holders left, never what it held", async () => {
  const { a, b, nodes, kept, stop } = await twoNodes();
  try {
    assert.equal(await b.acquireSession("ada", 0), true);
    assert.equal(await a.acquireSession("ada", 0), true);
    assert.equal(await a.releaseSessionReturning("ada", [bytes("taken")], [bytes("held")]), 1);
    await until(() => nodes[1].texts().length > 0, "B heard of it");
    assert.deepEqual(nodes[1].texts(), ["taken"]);
    assert.deepEqual(nodes[0].texts(), ["taken"], "this node's own holders get it too");
    assert.deepEqual(await kept("ada"), []);
  } finally {
    await stop();
  }
});
