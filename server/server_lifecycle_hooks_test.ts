// The application's lifecycle hooks failing: an `async` hook that rejects is logged like one
// that throws (it crashed the process, an unhandled rejection), and a hook that fails for every
// bad frame a client sends is logged at its 1st, 10th, 100th, ... failure, never per frame. And
// a shutdown waits for session closes the store never answers only a bounded time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { Server } from "./server.ts";

test("async onClientConnected and onClientDisconnected that reject are logged, the server serves on", async () => {
  const { logger, errors } = recordingLogger();
  const running = await startServer({
    logger,
    onClientConnected: async () => {
      await Promise.resolve();
      throw new Error("no database");
    },
    onClientDisconnected: () => Promise.reject(new Error("no audit log")),
    onRequest: (request) => request.payload,
  });
  try {
    for (let i = 0; i < 2; i++) {
      const client = new Client(running.url);
      assert.equal((await client.request("echo", "still here")).text(), "still here");
      await client.close();
    }
    await until(() => errors.length === 2, "both hooks' first failures logged");
    assert.deepEqual(errors.map((error) => error.message).sort(), [
      "onClientConnected hook failed",
      "onClientDisconnected hook failed",
    ]);
    assert.ok(errors.every((error) => error.details[0] instanceof Error));
  } finally {
    await running.close();
  }
});

test("an onProtocolViolation that throws for each of 2000 bad frames is logged 4 times", async () => {
  const { logger, errors } = recordingLogger();
  let violations = 0;
  const running = await startServer({
    logger,
    onProtocolViolation: () => {
      violations++;
      throw new Error("the hook's own bug");
    },
    onRequest: (request) => request.payload,
  });
  try {
    const hostile = await RawClient.handshake(running.url);
    // A reply from a client: ignored, reported each time, the connection kept.
    const reply = new Uint8Array([191, 1, 0, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 2000; i++) hostile.send(reply);
    hostile.send(encodeRequest({ id: requestIdFromNumber(1), name: "still-served" }));
    assert.equal((await hostile.next()).kind, "reply");
    assert.equal(violations, 2000);
    assert.deepEqual(errors.map((error) => error.message), [
      "onProtocolViolation hook failed",
      "onProtocolViolation hook failed (10 so far)",
      "onProtocolViolation hook failed (100 so far)",
      "onProtocolViolation hook failed (1000 so far)",
    ]);
    hostile.close();
  } finally {
    await running.close();
  }
});

test("shutdown waits a bounded time for a session close the store never answers", async () => {
  const { logger, errors } = recordingLogger();
  const stuck = new MemorySessionManager();
  stuck.onSessionClosed = () => new Promise(() => {}); // a store that is down, with no timeout
  const server = new Server({ sessionManager: stuck, logger, closeTimeout: 100 });
  void server.closeSession("some-key");
  const started = performance.now();
  await server.shutdown({ timeout: 100 });
  const took = performance.now() - started;
  assert.ok(took < 3000, `shutdown took ${took} ms`);
  assert.match(
    errors.map((error) => error.message).join("\n"),
    /1 session closes were still running/,
  );
});
