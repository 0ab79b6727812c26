// Redis pub/sub spans its numbered databases while keys do not: two applications on one Redis
// with one key prefix, each on a database of its own, must not hear each other's pushes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { RecordingClusterNode } from "../testing/recording_cluster_node.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";

const redis = redisFixture();
const bytes = (text: string) => new TextEncoder().encode(text);

/** A joined node on database `db` (by URL, or by an application's client) and what it hears. */
async function node(db: number, byClient = false) {
  const url = `${redis.url}/${db}`;
  const client = byClient ? new Redis(url, { autoResendUnfulfilledCommands: false }) : undefined;
  const cluster = new RedisCluster(client ?? url, { logger: silentLogger });
  const heard = new RecordingClusterNode();
  await cluster.join(heard);
  const leave = async () => {
    await cluster.leave();
    client?.disconnect();
  };
  return { cluster, heard, leave };
}

test("pushes reach the nodes on the same database only", async () => {
  const production = [await node(0), await node(0)];
  const staging = [await node(1), await node(1, true)];
  try {
    assert.equal(production[0].cluster.channel, "webwire:cluster");
    assert.equal(staging[0].cluster.channel, "webwire:cluster:db1");
    assert.equal(staging[1].cluster.channel, "webwire:cluster:db1");
    await staging[0].cluster.publish({ kind: "broadcast", signal: bytes("staging") });
    await production[0].cluster.publish({ kind: "broadcast", signal: bytes("production") });
    await until(() => staging[1].heard.texts().length > 0, "staging heard its own push");
    await until(() => production[1].heard.texts().length > 0, "production heard its own push");
    // Each publish ends before the next is sent: Redis sends its subscribers all four in this
    // order, so a node hearing the other database would have heard its push before the 2nd.
    await staging[0].cluster.publish({ kind: "broadcast", signal: bytes("staging 2") });
    await production[0].cluster.publish({ kind: "broadcast", signal: bytes("production 2") });
    await until(() => staging[1].heard.texts().length === 2, "staging heard both");
    await until(() => production[1].heard.texts().length === 2, "production heard both");
    assert.deepEqual(staging[1].heard.texts(), ["staging", "staging 2"]);
    assert.deepEqual(production[1].heard.texts(), ["production", "production 2"]);
  } finally {
    await Promise.all([...production, ...staging].map((each) => each.leave()));
  }
});
