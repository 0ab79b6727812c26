// A close of a session that a node of the cluster did not hear of, on a real redis-server: the
// node's pub/sub connection was cut when the close was published (it detaches the session's
// connections once it is subscribed again), or the closing node could not publish it (it
// tries again until Redis takes it). Either way the clients on the other node hear
// session-closed and nobody holds the session afterwards.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { gatedClusterFixture, heldByNobody, loginPeer } from "../testing/gated_cluster.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("missed");
/** A client of the test's own, to change users and cut connections. */
let admin: Redis;
let users = 0;

before(() => {
  admin = new Redis(clusters.redis.url);
});

after(() => {
  admin?.disconnect();
});

/** A Redis user for one node's cluster link, and that link's URL. */
async function clusterUser(name: string): Promise<string> {
  await admin.call("ACL", "SETUSER", name, "on", ">secret", "~*", "&*", "+@all");
  return clusters.redis.url.replace("redis://", `redis://${name}:secret@`);
}

test("a node whose pub/sub connection was cut when a session was closed detaches it once back", async () => {
  const user = `node-a-${++users}`;
  const cluster = await clusters.start([
    await clusterUser(user),
    clusters.redis.url,
  ]);
  const [a, b] = cluster.nodes;
  const onA = await loginPeer(a);
  try {
    const heardBefore = a.cluster.delivered;
    // A's cluster link is cut and cannot come back until the test lets it.
    await admin.call("ACL", "SETUSER", user, "off");
    assert.ok(Number(await admin.call("CLIENT", "KILL", "USER", user)) >= 2);
    assert.equal(await b.server.closeSession(onA.key), 0);
    assert.equal(await cluster.stored(onA.key), null);
    await admin.call("ACL", "SETUSER", user, "on");
    await until(() => onA.closedEvents === 1, "A's client heard session-closed");
    assert.equal(a.cluster.delivered, heardBefore, "the close itself never reached A");
    assert.equal(a.cluster.missedCount, 1, "A's link said once that it may have missed some");
    assert.equal(onA.client.session, null);
    await heldByNobody(cluster, onA.key);
    assert.equal(cluster.forgotten(onA.key), 1);
    // A is subscribed again: what B publishes from now on reaches it.
    const other = await loginPeer(a);
    assert.equal(await b.server.closeSession(other.key), 0);
    await until(() => other.closedEvents === 1, "A heard the next close");
    assert.equal(a.cluster.delivered, heardBefore + 1);
    await other.client.close();
  } finally {
    await onA.client.close();
    await cluster.stop();
    await admin.call("ACL", "DELUSER", user);
  }
});

test("a close that Redis refused to publish is published again once it accepts", async () => {
  const user = `node-b-${++users}`;
  const cluster = await clusters.start([
    clusters.redis.url,
    await clusterUser(user),
  ]);
  const [a, b] = cluster.nodes;
  const onA = await loginPeer(a);
  try {
    await admin.call("ACL", "SETUSER", user, "-publish"); // B's cluster link may no longer publish
    assert.equal(await b.server.closeSession(onA.key), 0);
    assert.equal(await cluster.stored(onA.key), null, "forgotten all the same");
    await until(() => b.cluster.publishFailures >= 2, "B tried again, and failed again");
    assert.equal(b.server.clusterErrors, 1, "B reported the failed relay once");
    assert.equal(onA.closedEvents, 0, "A has not heard of the close");
    assert.equal(onA.client.session?.key, onA.key);
    await admin.call("ACL", "SETUSER", user, "+publish");
    await until(() => onA.closedEvents === 1, "A's client heard session-closed");
    await heldByNobody(cluster, onA.key);
    assert.equal(cluster.forgotten(onA.key), 1);
    assert.equal(b.server.clusterErrors, 1, "a close tried again is reported once");
  } finally {
    await onA.client.close();
    await cluster.stop();
    await admin.call("ACL", "DELUSER", user);
  }
});

test("a close under way when its server shuts down still reaches the other nodes", async () => {
  const cluster = await clusters.start();
  const [a, b] = cluster.nodes;
  const onA = await loginPeer(a);
  try {
    b.manager.holdForgetOf = onA.key;
    const closing = b.server.closeSession(onA.key);
    await b.manager.forgetStarted.opened;
    const shutdown = b.server.shutdown();
    b.manager.forgetGate.open();
    assert.equal(await closing, 0);
    await shutdown;
    await until(() => onA.closedEvents === 1, "A's client heard session-closed");
    await heldByNobody(cluster, onA.key);
  } finally {
    await onA.client.close();
    await cluster.stop();
  }
});

test("a check for sessions closed elsewhere that hangs at shutdown is cut short, logged once", async () => {
  const user = `node-c-${++users}`;
  const recorded = recordingLogger();
  const cluster = await clusters.start([await clusterUser(user), clusters.redis.url], {}, {
    logger: recorded.logger,
    closeTimeout: 0, // the shutdown waits for such checks max(closeTimeout, 1 s)
  });
  const [a] = cluster.nodes;
  const onA = await loginPeer(a);
  try {
    // A's link is cut and comes back: A checks the sessions it holds, and its session manager
    // never answers the lookup.
    a.manager.holdLookupOf = onA.key;
    await admin.call("ACL", "SETUSER", user, "off");
    assert.ok(Number(await admin.call("CLIENT", "KILL", "USER", user)) >= 2);
    await admin.call("ACL", "SETUSER", user, "on");
    await a.manager.lookupStarted.opened;
    await onA.client.close();
    await a.server.shutdown();
    const cut = recorded.errors.filter(({ message }) => message.includes("into the shutdown"));
    assert.deepEqual(cut.map(({ message }) => message), [
      "1 forgotten-session checks were still running 1000 ms into the shutdown: cut short " +
      "(harmless)",
    ]);
  } finally {
    a.manager.lookupGate.open();
    await cluster.stop();
    await admin.call("ACL", "DELUSER", user);
  }
});
