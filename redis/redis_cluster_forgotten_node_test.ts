// Signals to a session whose node Redis forgot for a while (its heartbeat key gone, as after a
// cut longer than the node's lifetime), on a real redis-server: what other nodes sent meanwhile
// is kept, and reaches the node's client once the node is back, not at some later restore; what
// the node sent to its own client is delivered once, never kept as well.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { connectPeer, gatedClusterFixture, type Peer } from "../testing/gated_cluster.ts";
import { until } from "../testing/until.ts";

const clusters = gatedClusterFixture("forgotten");

test("signals kept while a node was taken for dead reach its client once it is back, each once", async () => {
  // Heartbeats every 300 ms: the node finds its key gone soon after the test deletes it.
  const cluster = await clusters.start(undefined, { nodeTtl: 900 });
  const [a, b] = cluster.nodes;
  const probe = new Redis(clusters.redis.url);
  let peer: Peer | undefined;
  try {
    peer = await connectPeer(b);
    await peer.client.request("login", "ada");
    await until(() => peer!.client.session !== null, "logged in on B");
    const key = peer.client.session!.key;
    await probe.call("DEL", `${cluster.keyPrefix}node:${b.link.nodeId}`); // Redis forgot B
    b.server.signalSession(key, "n", "from B"); // delivered by B, and relayed
    a.server.signalSession(key, "n", "from A"); // no live holder in Redis: kept
    await until(() => peer!.signals.includes("n:from A"), `A's signal arrived: ${peer!.signals}`);
    await until(
      async () => await probe.call("EXISTS", `${cluster.keyPrefix}offline:${key}`) === 0,
      "nothing left kept",
    );
    a.server.signalSession(key, "n", "after");
    await until(() => peer!.signals.includes("n:after"), "a later signal arrived");
    assert.deepEqual(peer.signals, ["n:from B", "n:from A", "n:after"]);
  } finally {
    probe.disconnect();
    await peer?.client.close();
    await cluster.stop();
  }
});
