// A node that releases a session another node still holds looks the session up again (which
// takes its Redis TTL away) so that it cannot expire while held. When that holder leaves before
// the lookup lands, its own release comes first and the lookup undoes it: the node must count
// again and give the session its TTL back, or the session stays stored for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { generateSessionKey } from "../session/session_key.ts";
import type { Server } from "../server/server.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();
const keyPrefix = "releaserace:";

/** Counts the release notices that reached Redis. */
class CountingManager extends GatedManager {
  released = 0;

  override async onSessionReleased(key: string): Promise<void> {
    await super.onSessionReleased(key);
    this.released++;
  }
}

async function startNode(
  name: string,
  wrap: (inner: RedisSessionManager) => GatedManager | RedisSessionManager,
): Promise<{ running: StartedServer; sessions: RedisSessionManager }> {
  const sessions = new RedisSessionManager(redis.url, {
    keyPrefix,
    commandTimeout: 1000,
    logger: silentLogger,
  });
  const holder: { server?: Server } = {};
  // A long node TTL: no heartbeat's sweep reports the session (as released, once more) meanwhile.
  const running = await startServer({
    sessionManager: wrap(sessions),
    sessionIdleTimeout: 60_000,
    cluster: new RedisCluster(redis.url, { keyPrefix, nodeTtl: 60_000, logger: silentLogger }),
    logger: silentLogger,
    ...clusterNodeService(() => holder.server!, name),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  return { running, sessions };
}

test("a session whose holders all leave during a node's release keeps its idle TTL", async () => {
  let gated: CountingManager | undefined;
  const a = await startNode("a", (inner) => gated = new CountingManager(inner));
  const b = await startNode("b", (inner) => inner);
  const probe = new Redis(redis.url);
  try {
    const onA = await RawClient.handshake(a.running.url);
    const { key } = await rawLogin(onA, "ada");
    const stored = `${keyPrefix}session:${key}`;
    // A's only connection leaves: nobody holds the session, A's release notice is held.
    gated!.holdReleaseOf = key;
    gated!.holdLookupOf = key;
    onA.close();
    await gated!.releaseStarted.opened;
    // B restores it meanwhile, so A's count after its notice finds B, and A looks it up (held).
    const onB = await RawClient.handshake(b.running.url);
    assert.equal(await rawRestore(onB, key), "reply");
    gated!.releaseGate.open();
    await gated!.lookupStarted.opened;
    // B leaves before A's lookup lands: B's release gives the session its TTL...
    onB.close();
    // Held by B, it has B's lease (longer than the idle timeout) until B's release.
    const idle = async () => {
      const ttl = await probe.pttl(stored);
      return ttl > 0 && ttl <= 60_000;
    };
    await until(idle, "B's release set the idle TTL");
    // ...which A's lookup takes away; A counts again, finds nobody and releases once more.
    gated!.lookupGate.open();
    await until(() => gated!.released === 2, "A released again", 3000);
    const ttl = await probe.pttl(stored);
    assert.ok(ttl > 0 && ttl <= 60_000, `the idle TTL is back: ${ttl}`);
  } finally {
    probe.disconnect();
    for (const node of [a, b]) {
      await node.running.close();
      await node.sessions.close();
    }
  }
});

test("a release notice leaves the record of a later release by another node", async () => {
  let gatedA: CountingManager | undefined;
  let gatedB: CountingManager | undefined;
  const a = await startNode("a", (inner) => gatedA = new CountingManager(inner));
  const b = await startNode("b", (inner) => gatedB = new CountingManager(inner));
  const probe = new Redis(redis.url);
  const released = `${keyPrefix}released`;
  try {
    const onA = await RawClient.handshake(a.running.url);
    const { key } = await rawLogin(onA, "ada");
    // A's last connection leaves: its release records the session; its notice is held.
    gatedA!.holdReleaseOf = key;
    onA.close();
    await gatedA!.releaseStarted.opened;
    // B holds it and lets go too: its release records it again; its notice is held (as if B
    // died before it told its session manager).
    gatedB!.holdReleaseOf = key;
    const onB = await RawClient.handshake(b.running.url);
    assert.equal(await rawRestore(onB, key), "reply");
    onB.close();
    await gatedB!.releaseStarted.opened;
    gatedA!.releaseGate.open();
    await until(() => gatedA!.released === 1, "A's notice is done");
    await new Promise((resolve) => setTimeout(resolve, 50)); // its record's removal, if any
    assert.equal(await probe.hexists(released, key), 1, "B's record stays for a sweep");
    gatedB!.releaseGate.open();
    await until(async () => await probe.hexists(released, key) === 0, "B's notice removes it");
  } finally {
    probe.disconnect();
    for (const node of [a, b]) {
      await node.running.close();
      await node.sessions.close();
    }
  }
});

/** Holds each release notice until the test lets it go on, in any order. */
class QueuedReleases extends CountingManager {
  readonly waiting: (() => void)[] = [];

  override async onSessionReleased(key: string): Promise<void> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    await super.onSessionReleased(key);
  }
}

test("a notice that ends after a later release of the same node leaves that one's record", async () => {
  let queued: QueuedReleases | undefined;
  const a = await startNode("a", (inner) => queued = new QueuedReleases(inner));
  const probe = new Redis(redis.url);
  const released = `${keyPrefix}released`;
  try {
    const first = await RawClient.handshake(a.running.url);
    const { key } = await rawLogin(first, "ada");
    first.close();
    await until(() => queued!.waiting.length === 1, "the first notice waits");
    const second = await RawClient.handshake(a.running.url);
    assert.equal(await rawRestore(second, key), "reply");
    second.close();
    await until(() => queued!.waiting.length === 2, "the second notice waits");
    queued!.waiting[0](); // the first notice ends; the second (which may yet fail) has not
    await until(() => queued!.released === 1, "the first notice is done");
    await new Promise((resolve) => setTimeout(resolve, 50)); // its record's removal, if any
    assert.equal(await probe.hexists(released, key), 1, "the second release's record stays");
    queued!.waiting[1]();
    await until(async () => await probe.hexists(released, key) === 0, "then it goes");
  } finally {
    probe.disconnect();
    await a.running.close();
    await a.sessions.close();
  }
});

test("records that nodes of earlier versions left in their set are reported and moved", async () => {
  // Such a node kept them in a set at <prefix>idle; one killed before its notice left its
  // session stored without a TTL, to be reported by a sweep.
  const probe = new Redis(redis.url);
  const store = new RedisSessionManager(redis.url, { keyPrefix, logger: silentLogger });
  const key = generateSessionKey();
  await store.onSessionCreated({ key, creation: Timestamp.now(), lastLookup: Timestamp.now() });
  await probe.persist(`${keyPrefix}session:${key}`);
  await probe.sadd(`${keyPrefix}idle`, key);
  const node = await startNode("a", (inner) => inner); // its first heartbeat sweeps
  try {
    const stored = `${keyPrefix}session:${key}`;
    await until(async () => await probe.pttl(stored) > 0, "the session has its idle TTL");
    assert.equal(await probe.scard(`${keyPrefix}idle`), 0);
    await until(async () => await probe.hlen(`${keyPrefix}released`) === 0, "reported");
  } finally {
    probe.disconnect();
    await store.close();
    await node.running.close();
    await node.sessions.close();
  }
});
