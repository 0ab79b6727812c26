// A connection that drops while its restore's take of the kept signals is under way keeps its
// slot until the take ends (it gives the slot back with what it did not write, in one step). A
// signal sent to the session in that window is not lost: it goes back with the rest, after what
// the restore took. A release that gets no reply in time keeps them once (when Redis wakes),
// and reports them as failed pushes. On a real redis-server, two nodes.
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
  loginPeer,
  type Peer,
  startWithStoredSession,
} from "../testing/gated_cluster.ts";
import { RawClient } from "../testing/raw_client.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("leave-window");

/**
 * Node A keeps "n:1" for the session; a restore on node B attaches, and its connection drops
 * while the take waits. Then `during` signals the session (B's slot still counts), B's take
 * goes on, and a restore on A gets what is kept: returned.
 */
async function signalledWhileBLeaves(
  cluster: GatedCluster,
  key: string,
  during: () => Promise<void>,
): Promise<Peer> {
  const [a, b] = cluster.nodes;
  a.server.signalSession(key, "n", "1");
  await cluster.untilKept(key, 1);
  b.cluster.holdTakeOf = key;
  const raw = await RawClient.handshake(b.running.url);
  raw.send(encodeRestoreSession(requestIdFromNumber(1), key));
  await b.cluster.takeStarted.opened; // attached; the take of the kept signal waits
  raw.close();
  await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
  assert.equal(await b.server.clusterSessionConnectionCount(key), 1, "B's slot still counts");
  await during();
  b.cluster.takeGate.open();
  await until(
    async () => await b.server.clusterSessionConnectionCount(key) === 0,
    "B gave its slot back",
  );
  const peer = await connectPeer(a);
  await peer.client.restoreSession(key);
  await until(() => peer.signals.length >= 2, `two signals arrived: ${peer.signals}`);
  return peer;
}

test("a signal from another node while a dropped restore's take ends is kept after it", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  let peer: Peer | undefined;
  try {
    const b = cluster.nodes[1];
    peer = await signalledWhileBLeaves(cluster, key, async () => {
      const heardBefore = b.cluster.delivered;
      cluster.nodes[0].server.signalSession(key, "n", "2");
      // Published to B, where its slot counts but no connection holds the session any more.
      await until(() => b.cluster.delivered > heardBefore, "B heard of it");
    });
    assert.deepEqual(peer.signals, ["n:1", "n:2"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("a signal sent on the node whose dropped restore's take ends is kept after it", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  let peer: Peer | undefined;
  try {
    peer = await signalledWhileBLeaves(cluster, key, async () => {
      // Relayed to Redis, which sees B's slot (its own messages do not come back to B).
      cluster.nodes[1].server.signalSession(key, "n", "2");
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    assert.deepEqual(peer.signals, ["n:1", "n:2"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("what a dropped restore took is kept once when its release gets no reply in time", async () => {
  const cluster = await clusters.start(undefined, { commandTimeout: 300 });
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  try {
    const login = await loginPeer(b);
    await login.client.close();
    const key = login.key;
    await until(async () => await b.server.clusterSessionConnectionCount(key) === 0, "left");
    a.server.signalSession(key, "n", "1");
    await cluster.untilKept(key, 1);
    b.cluster.holdTakeOf = key;
    const raw = await RawClient.handshake(b.running.url);
    raw.send(encodeRestoreSession(requestIdFromNumber(1), key));
    await b.cluster.takeStarted.opened;
    raw.close();
    await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
    // Redis hangs as B's release goes out, past its timeout, and runs it when it wakes.
    b.cluster.beforeRelease = () => {
      clusters.redis.freeze();
      setTimeout(() => clusters.redis.resume(), 350);
    };
    const errorsBefore = b.server.clusterErrors;
    b.cluster.takeGate.open();
    await until(() => b.cluster.releaseFailures === 1, "the release timed out");
    await until(() => b.server.clusterErrors === errorsBefore + 1, "reported");
    const offline = `${cluster.keyPrefix}offline:${key}`;
    await until(async () => Number(await probe.call("LLEN", offline)) >= 1, "kept when Redis woke");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a second copy would come now
    assert.equal(await probe.call("LLEN", offline), 1);
    assert.equal(await b.server.clusterSessionConnectionCount(key), 0);
  } finally {
    clusters.redis.resume();
    probe.disconnect();
    await cluster.stop();
  }
});
