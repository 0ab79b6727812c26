// A session closed at its maximum age whose destroy the session manager fails: the failure is
// logged once, with a message saying what failed (the logger's first argument is a message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

test("a session whose destroy fails at its maximum age is logged with a message", async () => {
  const recorded = recordingLogger();
  const manager = new GatedManager(new MemorySessionManager());
  manager.failHeldForget = true;
  manager.forgetGate.open();
  const running = await startServer({
    logger: recorded.logger,
    sessionMaxAge: 300,
    sessionManager: manager,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    const session = await rawLogin(client, "ada");
    manager.holdForgetOf = session.key;
    assert.equal((await client.next(3000)).kind, "session-closed");
    await until(() => recorded.errors.length > 0, "the failed destroy is logged");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(recorded.errors.length, 1, "logged once");
    const [{ message, details }] = recorded.errors;
    assert.equal(typeof message, "string");
    assert.match(message, /maximum age/);
    assert.match(String(details[0]), /could not forget/);
    client.close();
  } finally {
    await running.close();
  }
});
