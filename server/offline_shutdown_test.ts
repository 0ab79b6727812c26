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
  const signals: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
    onOfflineSignalDropped: (key, reason, signal) => {
      drops.push([key, reason]);
      signals.push(`${signal.name}:${signal.payload.text()}`);
    },
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
  assert.deepEqual(signals, ["mail:1", "mail:2", "mail:3"], "the hook gets each signal");
});

test("a signal dropped past a bound reaches the hook with its name, payload and encoding", async () => {
  const dropped: unknown[] = [];
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
    offlineSignals: { maxCount: 2 },
    onOfflineSignalDropped: (key, reason, { name, payload }) =>
      void dropped.push([key, reason, name, payload.encoding, [...payload.bytes]]),
  });
  const client = await RawClient.handshake(running.url);
  const session = await rawLogin(client, "ada");
  client.close();
  await until(() => running.server.sessionConnections(session.key).length === 0, "left");
  running.server.signalSession(session.key, "first", new Uint8Array([1, 2, 3]));
  running.server.signalSession(session.key, "second", "x", { encoding: "utf16" });
  running.server.signalSession(session.key, "", "third");
  assert.deepEqual(dropped, [[session.key, "count", "first", "binary", [1, 2, 3]]]);
  await running.close();
  assert.deepEqual(dropped.slice(1).map((entry) => (entry as unknown[]).slice(1, 4)), [
    ["shutdown", "second", "utf16"],
    ["shutdown", "", "utf8"],
  ]);
});
