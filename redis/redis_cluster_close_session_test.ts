// Server.closeSession in a cluster on a real redis-server: whichever node closes the session and
// wherever its connections are, the session manager forgets it once, before the promise
// resolves, and only connections that still hold that key are detached.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionNotFoundError } from "../client/errors.ts";
import { encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import {
  connectPeer as connect,
  gatedClusterFixture,
  loginPeer as login,
  type Peer,
} from "../testing/gated_cluster.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("close");

test("closing on node A a session held only on node B: B's client loses it, Redis forgets it once", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  const peers: Peer[] = [];
  try {
    const onB = await login(b);
    peers.push(onB);
    const queries = b.cluster.countQueries;
    assert.equal(await a.server.closeSession(onB.key), 0, "no connection of A held it");
    assert.equal(await cluster.stored(onB.key), null, "forgotten when closeSession resolved");
    await until(() => onB.closedEvents === 1, "B's client heard session-closed");
    await until(
      async () => await a.server.clusterSessionConnectionCount(onB.key) === 0,
      "B gave its slot back",
    );
    assert.equal(b.cluster.countQueries, queries, "B did not ask Redis how many hold it");
    assert.equal(onB.client.session, null);
    // Answered after B's connection finished closing the session.
    await assert.rejects(onB.client.restoreSession(onB.key), SessionNotFoundError);
    assert.deepEqual(b.server.sessionConnections(onB.key), []);
    assert.equal(await a.server.clusterSessionConnectionCount(onB.key), 0, "slot given back");
    assert.equal(cluster.forgotten(onB.key), 1, "the session managers were told once");
  } finally {
    for (const peer of peers) await peer.client.close();
    await cluster.stop();
  }
});

test("closing a session nobody holds: the session manager forgets it", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  try {
    const left = await login(b);
    await left.client.close();
    await until(() => b.server.sessionConnections(left.key).length === 0, "B's connection left");
    assert.notEqual(await cluster.stored(left.key), null, "a dropped connection keeps it stored");
    assert.equal(await a.server.closeSession(left.key), 0);
    assert.equal(await cluster.stored(left.key), null);
    assert.deepEqual(a.manager.forgotten, [left.key]);
  } finally {
    await cluster.stop();
  }
});

test("closing a session held on both nodes: forgotten before closeSession resolves, even while B has not heard yet", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  const peers: Peer[] = [];
  try {
    const onA = await login(a);
    const onB = await connect(b);
    peers.push(onA, onB);
    await onB.client.restoreSession(onA.key);
    assert.equal(await a.server.clusterSessionConnectionCount(onA.key), 2);

    b.cluster.held = true; // B hears of the close only when the test says so
    assert.equal(await a.server.closeSession(onA.key), 1, "A's connection detached");
    assert.equal(await cluster.stored(onA.key), null, "forgotten when closeSession resolved");
    await until(() => onA.closedEvents === 1, "A's client heard session-closed");
    await until(() => b.cluster.waiting > 0, "the close reached B");
    assert.equal(onB.closedEvents, 0);

    b.cluster.release();
    await until(() => onB.closedEvents === 1, "B's client heard session-closed");
    await assert.rejects(onB.client.restoreSession(onA.key), SessionNotFoundError);
    await assert.rejects(onA.client.restoreSession(onA.key), SessionNotFoundError);
    assert.equal(await a.server.clusterSessionConnectionCount(onA.key), 0, "slots given back");
    assert.equal(cluster.forgotten(onA.key), 1, "the session managers were told once");
  } finally {
    for (const peer of peers) await peer.client.close();
    await cluster.stop();
  }
});

test("a connection that restored another session before the close took effect keeps it", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  const raw = await RawClient.handshake(a.running.url);
  try {
    const ada = await rawLogin(raw, "ada");
    const other = await login(b);
    await other.client.close();

    // Ada's connection switches to the other session; its lookup waits for the test.
    a.manager.holdLookupOf = other.key;
    raw.send(encodeRestoreSession(requestIdFromNumber(1), other.key));
    await a.manager.lookupStarted.opened;
    assert.equal(a.server.sessionConnections(ada.key).length, 1, "still holds the old key");
    const closing = a.server.closeSession(ada.key);
    a.manager.lookupGate.open();
    const restored = await raw.next();
    assert.equal(restored.kind, "reply");
    const detached = await closing;

    assert.equal(detached, 0, "the connection held another key when the close took effect");
    raw.send(encodeRequest({ id: requestIdFromNumber(2), name: "whoami" }));
    const whoami = await raw.next();
    assert.equal(whoami.kind, "reply", "no session-closed before the whoami reply");
    assert.equal(a.server.sessionConnections(other.key).length, 1);
    assert.notEqual(await cluster.stored(other.key), null, "the other session stays stored");
    assert.equal(await cluster.stored(ada.key), null, "the closed one is forgotten");
    assert.equal(cluster.forgotten(other.key), 0);
  } finally {
    raw.close();
    await cluster.stop();
  }
});

test("a connection leaving its session asks Redis for the count of holders once, not twice", async () => {
  const cluster = await clusters.start();
  const [, b] = cluster.nodes;
  const left = await login(b);
  const queries = b.cluster.countQueries;
  await left.client.close();
  await until(() => b.server.sessionConnections(left.key).length === 0, "B's connection left");
  await cluster.stop(); // after the release has run to its end
  // One count after the release notice (a restore elsewhere may hold it again); the release
  // itself answers how many hold it.
  assert.equal(b.cluster.countQueries - queries, 1);
});
