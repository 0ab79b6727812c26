// A server on the Redis session manager without a cluster, killed (SIGKILL) while its clients
// hold sessions: nobody releases them, and no other node sweeps the dead one. The sessions must
// still expire, a little after the idle timeout, as the file manager's do after a crash. Real
// redis-server, and the server as a process of its own on the runtime of the test.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { Client } from "../client.ts";
import { startNodeProcess } from "../testing/cluster_processes.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { until } from "../testing/until.ts";

const redis = redisFixture();

test("sessions held by a killed server without a cluster expire once their lease runs out", async () => {
  const keyPrefix = "crash:";
  const idleTimeout = 500;
  const node = await startNodeProcess("Bun" in globalThis ? "bun" : "deno", {
    REDIS_URL: redis.url,
    KEY_PREFIX: keyPrefix,
    CLUSTER: "none",
    SESSION_IDLE_TIMEOUT: String(idleTimeout),
  });
  const probe = new Redis(redis.url);
  const client = new Client(node.url, { autoconnect: false });
  try {
    await client.connect();
    await client.request("login", "ada");
    await until(() => client.session !== null, "logged in");
    const stored = `${keyPrefix}session:${client.session!.key}`;
    const ttlOf = async () => Number(await probe.call("PTTL", stored));
    // Held longer than the idle timeout (two sweeps and more): still there.
    await new Promise((resolve) => setTimeout(resolve, 2 * idleTimeout + 1500));
    assert.equal(await probe.exists(stored), 1, "held: it does not expire");
    await node.kill();
    const ttl = await ttlOf();
    assert.ok(ttl > 0, `the killed server's session has a TTL (PTTL ${ttl}; -1: stored for good)`);
    await until(async () => await ttlOf() === -2, "gone", ttl + 2000);
  } finally {
    await client.close();
    probe.disconnect();
    await node.kill();
  }
});
