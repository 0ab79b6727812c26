// Server.closeSession on one node racing a client's restore of the same session on another, on
// a real redis-server: a restore whose lookup found the session before the close had it
// forgotten fails once its node hears of the close, and a restore that attached it before its
// node heard is detached when it does. Either way nobody holds the session afterwards. Signals
// to the session sent while a restore of it runs reach the restored client, and a restore
// racing another node's start of the session's idle clock leaves it without a TTL. A client's
// logout that destroys the session on one node detaches a restore of it on another.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { SessionNotFoundError } from "../client/errors.ts";
import {
  connectPeer,
  type GatedCluster,
  gatedClusterFixture,
  heldByNobody,
  loginPeer,
  type Peer,
  startWithStoredSession,
} from "../testing/gated_cluster.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("race");

/**
 * Node A detached `peer`'s session `key` after the other node closed it: the client heard
 * session-closed, nobody holds it, Redis forgot it once, and it cannot be restored.
 */
async function detachedOnA(cluster: GatedCluster, peer: Peer, key: string): Promise<void> {
  const [a] = cluster.nodes;
  await until(() => peer.closedEvents === 1, "A's client heard session-closed");
  await until(() => a.server.sessionConnections(key).length === 0, "A let the session go");
  assert.equal(peer.client.session, null);
  await heldByNobody(cluster, key);
  assert.equal(cluster.forgotten(key), 1, "the session managers were told once");
  await assert.rejects(peer.client.restoreSession(key), SessionNotFoundError);
}

test("a restore on node A that found the session before node B closed it is refused", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(a);
    a.manager.holdLookupOf = key;
    a.manager.readBeforeHold = true;
    const restoring = peer.client.restoreSession(key);
    await a.manager.lookupStarted.opened; // A's lookup has found it, and waits
    const heardBefore = a.cluster.delivered;
    assert.equal(await b.server.closeSession(key), 0);
    await until(() => a.cluster.delivered > heardBefore, "A heard of the close");
    a.manager.lookupGate.open();
    await assert.rejects(restoring, SessionNotFoundError);
    assert.equal(peer.client.session, null);
    await heldByNobody(cluster, key);
    assert.equal(cluster.forgotten(key), 1, "the session managers were told once");
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("a restore on node A while node B is still forgetting the session ends detached", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(a);
    b.manager.holdForgetOf = key;
    const closing = b.server.closeSession(key);
    await b.manager.forgetStarted.opened; // still stored in Redis
    // A has not heard of the close yet: its restore finds the session and attaches it...
    await peer.client.restoreSession(key);
    assert.equal(a.server.sessionConnections(key).length, 1);
    b.manager.forgetGate.open();
    assert.equal(await closing, 0);
    // ...and the close, told to A once Redis forgot it, detaches it there.
    await detachedOnA(cluster, peer, key);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("a restore on node A while a logout on node B destroys the session ends detached", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  const leaving = await loginPeer(b);
  const key = leaving.key;
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(a);
    b.manager.holdForgetOf = key;
    const logout = leaving.client.closeSession(); // B's client was the session's last holder
    await b.manager.forgetStarted.opened; // B counted no other holder; still stored in Redis
    // A finds the session and attaches it...
    await peer.client.restoreSession(key);
    b.manager.forgetGate.open();
    await logout;
    // ...and B, once Redis forgot it, tells A, which detaches it.
    await detachedOnA(cluster, peer, key);
  } finally {
    await leaving.client.close();
    await peer?.client.close();
    await cluster.stop();
  }
});

test("signals to a session sent while a node restores it reach the restored client, in order", async () => {
  const { cluster, key } = await startWithStoredSession(clusters);
  const [a, b] = cluster.nodes;
  let peer: Peer | undefined;
  try {
    b.server.signalSession(key, "n", "1 kept while offline");
    await until(async () => await b.server.clusterSessionConnectionCount(key) === 0, "no holder");
    peer = await connectPeer(a);
    a.manager.holdLookupOf = key;
    const restoring = peer.client.restoreSession(key);
    await a.manager.lookupStarted.opened; // A has taken a slot; the lookup waits
    const heardBefore = a.cluster.delivered;
    b.server.signalSession(key, "n", "2 from the other node");
    await until(() => a.cluster.delivered > heardBefore, "A heard of it");
    a.server.signalSession(key, "n", "3 from the restoring node");
    a.manager.lookupGate.open();
    await restoring;
    b.server.signalSession(key, "n", "4 after");
    await until(() => peer!.signals.length === 4, `all four arrived: ${peer!.signals}`);
    assert.deepEqual(peer.signals, [
      "n:1 kept while offline",
      "n:2 from the other node",
      "n:3 from the restoring node",
      "n:4 after",
    ]);
  } finally {
    await peer?.client.close();
    await cluster.stop();
  }
});

test("a session restored on node A while node B starts its idle clock does not expire while held", async () => {
  const cluster = await clusters.start(undefined, undefined, { sessionIdleTimeout: 60_000 });
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    const first = await loginPeer(b);
    const sessionKey = `${cluster.keyPrefix}session:${first.key}`;
    b.manager.holdReleaseOf = first.key;
    await first.client.close();
    await b.manager.releaseStarted.opened; // B counted no holder; its release notice waits
    peer = await connectPeer(a);
    await peer.client.restoreSession(first.key); // A takes a slot and looks it up (holds it)
    b.manager.releaseGate.open(); // B's notice lands after A's lookup
    // Held: no idle TTL (at most 60 s) but A's lease, which A's sweeps renew.
    const held = async () => (await probe.call("PTTL", sessionKey) as number) > 60_000;
    await until(held, "held again: A's lease, not the idle TTL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(await held(), "and it stays so while A holds it");
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});
