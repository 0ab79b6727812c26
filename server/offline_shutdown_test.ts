// Signals kept for an offline session cannot be restored once the server has shut down: they
// are dropped then, and so is every later one, each reported as "shutdown".
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { OfflineDropReason } from "./offline_signals.ts";

test("kept signals are dropped as 'shutdown' when the server shuts down, and later ones too", async () => {
  const drops: [string, OfflineDropReason][] = [];
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
    onOfflineSignalDropped: (key, reason) => void drops.push([key, reason]),
  });
  const client = await RawClient.handshake(running.url);
  const session = await rawLogin(client, "ada");
  client.close();
  await until(() => running.server.sessionConnections(session.key).length === 0, "left");
  assert.equal(running.server.signalSession(session.key, "mail", "1"), 0);
  assert.equal(running.server.signalSession(session.key, "mail", "2"), 0);
  assert.deepEqual(drops, [], "kept while the server runs");

  await running.close();
  assert.deepEqual(drops, [[session.key, "shutdown"], [session.key, "shutdown"]]);
  assert.equal(running.server.droppedOfflineSignals, 2);
  assert.equal(running.server.signalSession(session.key, "mail", "3"), 0);
  assert.deepEqual(drops.at(-1), [session.key, "shutdown"], "nothing is kept after shutdown");
  assert.equal(running.server.droppedOfflineSignals, 3);
});
