// What publish and signalSession return counts only connections the signal can still reach,
// as broadcast's does: inside onClientDisconnected the connection that left is not counted,
// whatever it still subscribes to or holds. Real server, real clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

/**
 * A server whose `join` subscribes to "room" and creates or keeps a session, and whose
 * disconnect hook records what publish, signalSession and broadcast return then.
 */
async function countingServer() {
  const counts: Record<string, number>[] = [];
  const running = await startServer({
    logger: silentLogger,
    sessionManager: new MemorySessionManager(),
    onRequest: async ({ connection }) => {
      connection.subscribe("room");
      if (connection.session === null) await connection.createSession();
      return connection.session!.key;
    },
    onClientDisconnected: (connection) => {
      const key = connection.session?.key ?? "";
      counts.push({
        publish: running.server.publish("room", "left", "x"),
        signalSession: running.server.signalSession(key, "left", "x"),
        broadcast: running.server.broadcast("left", "x"),
      });
    },
  });
  return { counts, running };
}

test("a connection that left is not counted by publish, signalSession or broadcast", async () => {
  const { counts, running } = await countingServer();
  const ada = new Client(running.url, { logger: silentLogger });
  const adaTab = new Client(running.url, { logger: silentLogger });
  try {
    const key = (await ada.request("join")).text();
    await adaTab.restoreSession(key);
    await adaTab.request("join");
    await ada.close();
    await until(() => counts.length === 1, "ada's disconnect hook ran");
    assert.deepEqual(counts[0], { publish: 1, signalSession: 1, broadcast: 1 });
  } finally {
    await Promise.all([ada.close(), adaTab.close()]);
    await running.close();
  }
});

test("during a shutdown, publish and signalSession count what broadcast counts", async () => {
  const { counts, running } = await countingServer();
  const clients = [0, 1, 2].map(() => new Client(running.url, { logger: silentLogger }));
  try {
    const key = (await clients[0].request("join")).text();
    for (const tab of clients.slice(1)) {
      await tab.restoreSession(key);
      await tab.request("join");
    }
    await running.close();
    assert.equal(counts.length, 3);
    for (const count of counts) {
      assert.equal(count.publish, count.broadcast, JSON.stringify(counts));
      assert.equal(count.signalSession, count.broadcast, JSON.stringify(counts));
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await running.close();
  }
});
