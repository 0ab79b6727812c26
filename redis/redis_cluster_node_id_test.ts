// A node's identity in Redis: a process that took a fixed `nodeId` over from one that died does
// not inherit its slots, and nodes on an application's ioredis client leave no listeners on it.
// Real redis-server.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";

const redis = redisFixture();
const node = { deliver() {} };

test("a process given the id of one that died does not take over its slots", async () => {
  const options = { keyPrefix: "fixed-id:", nodeId: "web-1", logger: silentLogger };
  // The first process: its own client, cut off as by a crash (no leave, no more heartbeats);
  // its key expires 1 s after its last heartbeat. The second keeps its own for the default 10 s.
  const firstClient = new Redis(redis.url);
  const first = new RedisCluster(firstClient, { ...options, nodeTtl: 1000 });
  await first.join(node);
  assert.equal(await first.acquireSession("ada", 1), true);
  firstClient.disconnect();
  const second = new RedisCluster(redis.url, options);
  try {
    await second.join(node);
    assert.equal(second.nodeId, "web-1");
    // Within nodeTtl the first process's slot still counts, after it no more.
    assert.equal(await second.sessionConnectionCount("ada"), 1);
    await until(async () => await second.sessionConnectionCount("ada") === 0, "slot freed");
    assert.equal(await second.acquireSession("ada", 1), true);
    assert.equal(await second.acquireSession("ada", 1), false, "one slot, now the second's");
  } finally {
    await first.leave();
    await second.leave();
  }
});

test("nodes on an application's client leave none of their listeners on it", async () => {
  const shared = new Redis(redis.url);
  try {
    const before = [shared.listenerCount("ready"), shared.listenerCount("error")];
    for (let i = 0; i < 12; i++) {
      const cluster = new RedisCluster(shared, {
        keyPrefix: `listeners${i}:`,
        logger: silentLogger,
      });
      await cluster.join(node);
      assert.ok(shared.listenerCount("ready") > before[0], "a joined node listens");
      await cluster.leave();
    }
    assert.deepEqual([shared.listenerCount("ready"), shared.listenerCount("error")], before);
    assert.equal(await shared.ping(), "PONG", "the application's client is still open");
  } finally {
    shared.disconnect();
  }
});

test("a node that leaves holding no slot takes its id out of the nodes set; one with slots is swept", async () => {
  const options = { keyPrefix: "leaving:", logger: silentLogger };
  const redisClient = new Redis(redis.url);
  const a = new RedisCluster(redis.url, options);
  const b = new RedisCluster(redis.url, options);
  const nodes = async () =>
    (await redisClient.call("SMEMBERS", "leaving:nodes") as string[]).sort();
  try {
    await a.join(node);
    await b.join(node);
    assert.deepEqual(
      await nodes(),
      [a.nodeId, b.nodeId].sort(),
    );
    assert.equal(await a.acquireSession("ada", 0), true);
    await a.leave();
    await b.leave();
    // A left its slot behind (no release): its id stays for a live node's sweep, B's is gone.
    assert.deepEqual(await nodes(), [a.nodeId]);
    const c = new RedisCluster(redis.url, { ...options, nodeTtl: 600 });
    await c.join(node);
    await until(
      async () => (await nodes()).join() === c.nodeId,
      "A swept",
    );
    assert.equal(await redisClient.exists("leaving:slots:" + a.nodeId), 0);
    await c.leave();
    assert.equal(await redisClient.exists("leaving:nodes"), 0, "the last node out leaves no set");
  } finally {
    await a.leave();
    await b.leave();
    redisClient.disconnect();
  }
});

test("a slot taken as its node leaves is swept by a live node, never left for good", async () => {
  const options = { keyPrefix: "late-slot:", logger: silentLogger };
  const redisClient = new Redis(redis.url);
  const a = new RedisCluster(redis.url, options);
  const c = new RedisCluster(redis.url, { ...options, nodeTtl: 600 });
  try {
    await a.join(node);
    // The acquire runs after the leave's script: the node key is gone, its slot stays.
    const leaving = a.leave();
    const taken = a.acquireSession("ada", 0);
    await leaving;
    assert.equal(await taken, true, "the acquire went through on the link still open");
    assert.equal(await redisClient.call("SISMEMBER", "late-slot:nodes", a.nodeId), 1);
    await c.join(node);
    await until(async () => await redisClient.exists("late-slot:slots:" + a.nodeId) === 0, "swept");
    assert.equal(await redisClient.exists("late-slot:holders:ada"), 0);
  } finally {
    await a.leave();
    await c.leave();
    redisClient.disconnect();
  }
});
