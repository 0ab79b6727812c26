// Signals a restore took or held but could not deliver, on a real redis-server: the restoring
// connection dropped while the kept signals were on their way, or a restore gave up after
// signals came for the session during its lookup. Either way they are signalled to the session
// again with the release of the restore's slot: the next restore gets them, or the connections
// holding the session meanwhile do, on any node (the restore's own included).
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

const clusters = gatedClusterFixture("undelivered");

/** Restores `key` on node A with a new client and waits for `count` signals. */
async function restoredOnA(cluster: GatedCluster, key: string, count: number): Promise<Peer> {
  const peer = await connectPeer(cluster.nodes[0]);
  await peer.client.restoreSession(key);
  await until(() => peer.signals.length >= count, `${count} signals arrived: ${peer.signals}`);
  return peer;
}

/**
 * A restore of `key` on node B whose lookup waits (B's `lookupGate`, which the test opens), and
 * node A's signal `n:<text>`, which B hears for that restore (its slot counts as a holder).
 * Returns the restoring client.
 */
async function signalDuringLookupOnB(
  cluster: GatedCluster,
  key: string,
  text: string,
): Promise<RawClient> {
  const [a, b] = cluster.nodes;
  b.manager.holdLookupOf = key;
  const raw = await RawClient.handshake(b.running.url);
  raw.send(encodeRestoreSession(requestIdFromNumber(1), key));
  await b.manager.lookupStarted.opened; // B has taken a slot; the lookup waits
  const heardBefore = b.cluster.delivered;
  a.server.signalSession(key, "n", text);
  await until(() => b.cluster.delivered > heardBefore, "B heard of it");
  return raw;
}

/**
 * Node A signals "n:1" and "n:2" to the session, held nowhere: kept. A restore on node B then
 * attaches, and its connection drops while its take of the kept signals waits for B's
 * `takeGate` (the test opens it).
 */
async function keptThenRestoreDroppedOnB(cluster: GatedCluster, key: string): Promise<void> {
  const [a, b] = cluster.nodes;
  a.server.signalSession(key, "n", "1");
  a.server.signalSession(key, "n", "2");
  await cluster.untilKept(key, 2);
  b.cluster.holdTakeOf = key;
  const raw = await RawClient.handshake(b.running.url);
  raw.send(encodeRestoreSession(requestIdFromNumber(1), key));
  await b.cluster.takeStarted.opened; // attached; the take of the kept signals waits
  raw.close();
  await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
}

test("kept signals taken as the restoring connection drops are kept again", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    await keptThenRestoreDroppedOnB(cluster, key);
    b.cluster.takeGate.open(); // taken from Redis now, for a connection that is gone
    peer = await restoredOnA(cluster, key, 2);
    assert.deepEqual(peer.signals, ["n:1", "n:2"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("kept signals taken as the restoring connection drops reach a holder on the same node", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    await keptThenRestoreDroppedOnB(cluster, key);
    // Another connection restores the session on B: it holds it, and its take waits too.
    peer = await connectPeer(b);
    const restoring = peer.client.restoreSession(key);
    await until(() => b.server.sessionConnections(key).length === 1, "held on B again");
    b.cluster.takeGate.open(); // the first take gets both, for a connection that is gone
    await restoring;
    // Given back: published for the session's holders, this node's own among them.
    await until(() => peer!.signals.length === 2, `both arrived: ${peer!.signals}`);
    assert.deepEqual(peer.signals, ["n:1", "n:2"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("signals that came during a restore's lookup are kept again when the restore gives up", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    const raw = await signalDuringLookupOnB(cluster, key, "during the lookup");
    raw.close();
    await until(() => b.server.connectionCount === 0, "B's connection ended");
    b.manager.lookupGate.open(); // found, for a connection that is gone: the restore gives up
    // Kept once B's slot is given back. (A restore elsewhere that takes a slot before that would
    // not get it: signals across nodes reach a connection at most once.)
    const offline = `${cluster.keyPrefix}offline:${key}`;
    await until(async () => await probe.call("LLEN", offline) === 1, "kept again");
    peer = await restoredOnA(cluster, key, 1);
    assert.deepEqual(peer.signals, ["n:during the lookup"]);
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});

test("signals held by a restore that gives up are kept before those sent after its slot is free", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    const offline = `${cluster.keyPrefix}offline:${key}`;
    a.server.signalSession(key, "n", "1");
    await cluster.untilKept(key, 1);
    const raw = await signalDuringLookupOnB(cluster, key, "2");
    raw.close();
    await until(() => b.server.connectionCount === 0, "B's connection ended");
    // Right after B's slot is free in Redis, before B goes on: A's next signal is kept.
    b.cluster.afterRelease = async () => {
      b.cluster.afterRelease = undefined;
      const before = await probe.call("LLEN", offline);
      a.server.signalSession(key, "n", "3");
      await until(async () => await probe.call("LLEN", offline) !== before, "3 kept");
    };
    b.manager.lookupGate.open(); // found, for a connection that is gone: the restore gives up
    await cluster.untilKept(key, 3);
    peer = await restoredOnA(cluster, key, 3);
    assert.deepEqual(peer.signals, ["n:1", "n:2", "n:3"]);
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});

test("a restore that gives up sends nothing again to a session held on another node", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(a);
    await peer.client.restoreSession(key); // held on A from now on
    const raw = await signalDuringLookupOnB(cluster, key, "during the lookup");
    raw.close();
    await until(() => b.server.connectionCount === 0, "B's connection ended");
    b.manager.lookupGate.open(); // the restore gives up
    await until(
      async () => await b.server.clusterSessionConnectionCount(key) === 1,
      "B gave its slot back",
    );
    a.server.signalSession(key, "n", "after");
    await until(() => peer!.signals.includes("n:after"), "a later signal arrived");
    assert.deepEqual(peer.signals, ["n:during the lookup", "n:after"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("kept signals given back by a dropped restore's release come before those kept after it", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    const offline = `${cluster.keyPrefix}offline:${key}`;
    await keptThenRestoreDroppedOnB(cluster, key);
    b.manager.holdReleaseOf = key; // the connection's leave waits in its release notice
    // Until the take ends, B's slot counts: it goes back with what B took, in one step.
    assert.equal(await b.server.clusterSessionConnectionCount(key), 1, "B's slot still counts");
    b.cluster.takeGate.open(); // taken from Redis now, for a connection that is gone
    await b.manager.releaseStarted.opened; // B's slot is given back; its notice waits
    assert.equal(await probe.call("LLEN", offline), 2, "given back with the slot");
    a.server.signalSession(key, "n", "3"); // nobody holds it: kept
    await until(async () => await probe.call("LLEN", offline) === 3, "3 kept");
    b.manager.releaseGate.open(); // B's leave ends
    peer = await restoredOnA(cluster, key, 3);
    assert.deepEqual(peer.signals, ["n:1", "n:2", "n:3"]);
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});

test("signals held by a dropped restore are given back after those it took, before later ones", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    const offline = `${cluster.keyPrefix}offline:${key}`;
    a.server.signalSession(key, "n", "1");
    await cluster.untilKept(key, 1);
    b.cluster.holdTakeOf = key;
    b.manager.holdReleaseOf = key;
    const raw = await signalDuringLookupOnB(cluster, key, "2");
    b.manager.lookupGate.open(); // attached; the take of the kept signals waits
    await b.cluster.takeStarted.opened;
    raw.close();
    await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
    b.cluster.takeGate.open(); // 1 is taken now, for a connection that is gone
    await b.manager.releaseStarted.opened; // B's slot is given back with 1 and 2; notice waits
    assert.equal(await probe.call("LLEN", offline), 2, "given back with the slot");
    a.server.signalSession(key, "n", "3"); // nobody holds it: kept
    await cluster.untilKept(key, 3);
    b.manager.releaseGate.open(); // B's leave ends
    peer = await restoredOnA(cluster, key, 3);
    assert.deepEqual(peer.signals, ["n:1", "n:2", "n:3"]);
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});

test("signals held by a dropped restore are not sent again to a session held elsewhere", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(a);
    await peer.client.restoreSession(key); // held on A from now on
    // B's give-back of what it held, whichever way it goes to Redis (with its slot's release,
    // once it knows what it did not write).
    let givenBack = 0;
    const { publish, returnUndeliveredSignals } = b.cluster;
    const { releaseSessionKeeping, releaseSessionReturning } = b.cluster;
    b.cluster.returnUndeliveredSignals = async (...args) => {
      await returnUndeliveredSignals.apply(b.cluster, args);
      givenBack++;
    };
    b.cluster.releaseSessionKeeping = async (...args) => {
      const left = await releaseSessionKeeping.apply(b.cluster, args);
      givenBack++;
      return left;
    };
    b.cluster.releaseSessionReturning = async (...args) => {
      const left = await releaseSessionReturning.apply(b.cluster, args);
      givenBack++;
      return left;
    };
    b.cluster.publish = async (message) => {
      await publish.call(b.cluster, message);
      if (message.kind === "signal-session" && message.delivered === true) givenBack++;
    };
    b.cluster.holdTakeOf = key;
    const raw = await signalDuringLookupOnB(cluster, key, "during the lookup");
    b.manager.lookupGate.open(); // attached; the take of the kept signals waits
    await b.cluster.takeStarted.opened;
    raw.close();
    await until(() => b.server.sessionConnections(key).length === 0, "B's connection ended");
    b.cluster.takeGate.open(); // nothing kept; what B held is given back: A holds it
    await until(() => givenBack === 1, "given back");
    a.server.signalSession(key, "n", "after");
    await until(() => peer!.signals.includes("n:after"), "a later signal arrived");
    assert.deepEqual(peer.signals, ["n:during the lookup", "n:after"]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("held signals are kept once when the release that keeps them gets no reply in time", async () => {
  const cluster = await clusters.start(undefined, { commandTimeout: 300 });
  const [, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  try {
    const login = await loginPeer(b);
    await login.client.close();
    const key = login.key;
    await until(async () => await b.server.clusterSessionConnectionCount(key) === 0, "left");
    const raw = await signalDuringLookupOnB(cluster, key, "held");
    raw.close();
    await until(() => b.server.connectionCount === 0, "B's connection ended");
    // Redis hangs as B's release goes out, past its timeout, and runs it when it wakes.
    b.cluster.beforeRelease = () => {
      clusters.redis.freeze();
      setTimeout(() => clusters.redis.resume(), 350);
    };
    const errorsBefore = b.server.clusterErrors;
    b.manager.lookupGate.open(); // found, for a connection that is gone: the restore gives up
    await until(() => b.cluster.releaseFailures === 1, "the release timed out");
    // Reported as a push that failed (it may have been kept, or not).
    await until(() => b.server.clusterErrors === errorsBefore + 1, "reported");
    const offline = `${cluster.keyPrefix}offline:${key}`;
    await until(async () => Number(await probe.call("LLEN", offline)) >= 1, "kept when Redis woke");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a second copy would come now
    assert.equal(await probe.call("LLEN", offline), 1);
  } finally {
    clusters.redis.resume();
    probe.disconnect();
    await cluster.stop();
  }
});
