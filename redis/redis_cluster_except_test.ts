// "Everyone but the sender" across a cluster: `except` leaves out one connection of this node,
// and the signal still reaches the other nodes (a broadcast with `except` is relayed, unlike one
// with a `filter`). Two nodes on a real redis-server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

interface Node {
  running: StartedServer;
  sessions: RedisSessionManager;
}

/** A node whose `join` subscribes to "room", `say` publishes and `shout` broadcasts but not back. */
async function startNode(adapter: "runtime" | "node"): Promise<Node> {
  const options = { keyPrefix: "except:", commandTimeout: 500, logger: silentLogger };
  const sessions = new RedisSessionManager(redis.url, options);
  const cluster = new RedisCluster(redis.url, { ...options, nodeTtl: 1500 });
  const holder: { running?: StartedServer } = {};
  const running = await startServer({
    adapter,
    logger: silentLogger,
    sessionManager: sessions,
    cluster,
    onRequest: ({ name, payload, connection }) => {
      const server = holder.running!.server;
      if (name === "join") return void connection.subscribe("room");
      if (name === "say") {
        return String(server.publish("room", "said", payload.text(), { except: connection }));
      }
      return String(server.broadcast("shout", payload.text(), { except: connection }));
    },
  });
  holder.running = running;
  await running.server.clusterJoined;
  return { running, sessions };
}

function listening(node: Node): { client: Client; got: string[] } {
  const client = new Client(node.running.url, { logger: silentLogger });
  const got: string[] = [];
  client.addEventListener("signal", (event) => {
    got.push(`${event.detail.name} ${event.detail.payload.text()}`);
  });
  return { client, got };
}

test("except leaves out the sender on its node; the other nodes get the signal", async () => {
  const nodes = [await startNode("runtime"), await startNode("node")];
  const [ada, bob] = [listening(nodes[0]), listening(nodes[0])];
  const carol = listening(nodes[1]);
  try {
    await Promise.all([ada, bob, carol].map(({ client }) => client.request("join")));
    assert.equal((await ada.client.request("say", "hi")).text(), "1", "bob, on this node");
    assert.equal((await ada.client.request("shout", "HI")).text(), "1");
    await until(() => bob.got.length === 2 && carol.got.length === 2, "the others got both");
    assert.deepEqual(bob.got, ["said hi", "shout HI"]);
    assert.deepEqual(carol.got, ["said hi", "shout HI"], "relayed to the other node");
    assert.deepEqual(ada.got, [], "the sender got nothing back");
  } finally {
    await Promise.all([ada, bob, carol].map(({ client }) => client.close()));
    for (const node of nodes) {
      await node.running.close();
      await node.sessions.close();
    }
  }
});
