// Signals that reach a connection while its restore of a session takes the signals kept for it
// (a Redis round trip in a cluster) wait for the restore's reply and the kept signals, on a
// real redis-server. They keep the order they were sent in (a handler's `connection.signal`
// too), and the session's own are kept again when the connection drops before they are written.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import {
  connectPeer,
  type GatedCluster,
  gatedClusterFixture,
  startWithStoredSession,
} from "../testing/gated_cluster.ts";
import { RawClient } from "../testing/raw_client.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("deferred");

/**
 * Keeps "n:1" and "n:2" for the session `key`, held by nobody, then has a new connection of
 * node B restore it, its take of the kept signals waiting for B's `takeGate`.
 */
async function restoreWaitingOnB(cluster: GatedCluster, key: string): Promise<RawClient> {
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  try {
    a.server.signalSession(key, "n", "1");
    a.server.signalSession(key, "n", "2");
    const offline = `${cluster.keyPrefix}offline:${key}`;
    await until(async () => await probe.call("LLEN", offline) === 2, "both kept");
  } finally {
    probe.disconnect();
  }
  b.cluster.holdTakeOf = key;
  const raw = await RawClient.handshake(b.running.url);
  raw.send(encodeRestoreSession(requestIdFromNumber(1), key));
  await b.cluster.takeStarted.opened; // attached; the take waits
  return raw;
}

/** Node A signals `n:<text>` to the session; resolves once node B has heard of it. */
async function signalHeardOnB(cluster: GatedCluster, key: string, text: string): Promise<void> {
  const [a, b] = cluster.nodes;
  const heard = b.cluster.delivered;
  a.server.signalSession(key, "n", text);
  await until(() => b.cluster.delivered > heard, `B heard of n:${text}`);
}

/**
 * Once B's restoring connection has ended: lets B's take go on (taken for a connection that is
 * gone, all of it goes back) and B give its slot back and keep the three signals again in the
 * same step, then restores the session on A and returns the signals it got, once there are
 * three.
 */
async function keptAfterBLetGo(cluster: GatedCluster, key: string): Promise<string[]> {
  const [a, b] = cluster.nodes;
  await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
  // Until B knows what it did not write, its slot counts: a restore elsewhere in between would
  // find nothing kept, and the signals held back would go nowhere.
  assert.equal(await b.server.clusterSessionConnectionCount(key), 1, "B's slot still counts");
  b.cluster.takeGate.open();
  await until(
    async () => await b.server.clusterSessionConnectionCount(key) === 0,
    "B gave its slot back",
  );
  const probe = new Redis(clusters.redis.url);
  try {
    const offline = `${cluster.keyPrefix}offline:${key}`;
    assert.equal(await probe.call("LLEN", offline), 3, "kept again as the slot went");
  } finally {
    probe.disconnect();
  }
  const peer = await connectPeer(a);
  try {
    await peer.client.restoreSession(key);
    await until(() => peer.signals.length >= 3, `all arrived: ${peer.signals}`);
    return peer.signals;
  } finally {
    await peer.client.close();
  }
}

/** What `raw` receives, as `reply` or `name:payload` for signals, until `count` arrived. */
async function received(raw: RawClient, count: number): Promise<string[]> {
  const seen: string[] = [];
  while (seen.length < count) {
    const message = await raw.next(5000);
    if (message.kind === "signal") {
      seen.push(`${message.nameText}:${new TextDecoder().decode(message.payload)}`);
    } else seen.push(message.kind);
  }
  return seen;
}

test("signals sent while a restore takes the kept ones follow them in send order", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [, b] = cluster.nodes;
  let raw: RawClient | undefined;
  try {
    raw = await restoreWaitingOnB(cluster, key);
    b.server.broadcast("news", "first", { filter: () => true });
    b.server.sessionConnections(key)[0].signal("direct", "second");
    await signalHeardOnB(cluster, key, "third");
    b.cluster.takeGate.open();
    const seen = await received(raw, 6);
    assert.deepEqual(seen, ["reply", "n:1", "n:2", "news:first", "direct:second", "n:third"]);
    assert.ok(await raw.silentFor(100), "each arrived once");
  } finally {
    raw?.close();
    await cluster.stop();
  }
});

test("a signal sent while a restore takes the kept ones is kept again if it drops", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [, b] = cluster.nodes;
  try {
    const raw = await restoreWaitingOnB(cluster, key);
    await signalHeardOnB(cluster, key, "3");
    b.server.broadcast("news", "not for the session", { filter: () => true });
    raw.close();
    assert.deepEqual(await keptAfterBLetGo(cluster, key), ["n:1", "n:2", "n:3"]);
  } finally {
    await cluster.stop();
  }
});

test("pushes held back past maxSendBuffer close the client as a slow reader; none is lost", async () => {
  const { cluster, key } = await startWithStoredSession(clusters, { maxSendBuffer: 64 * 1024 });
  const [, b] = cluster.nodes;
  try {
    const raw = await restoreWaitingOnB(cluster, key);
    await signalHeardOnB(cluster, key, "3");
    const big = "x".repeat(8 * 1024);
    for (let i = 0; i < 7; i++) b.server.broadcast("news", big, { filter: () => true });
    assert.equal(b.server.sessionConnections(key).length, 1, "under the bound: held back");
    b.server.broadcast("news", big, { filter: () => true });
    assert.equal((await raw.closed).code, 1008, "closed as a slow reader at once");
    assert.deepEqual(await keptAfterBLetGo(cluster, key), ["n:1", "n:2", "n:3"]);
  } finally {
    await cluster.stop();
  }
});
