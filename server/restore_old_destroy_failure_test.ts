// A restore of another key while holding a session detaches and destroys the old one. When the
// session manager fails to forget the old session, the restore has already been answered with
// the new session: that failure must be logged, not answered a second time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRestoreSession, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

test("a restore whose old session cannot be destroyed gets one reply only", async () => {
  const manager = new GatedManager(new MemorySessionManager());
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  const bob = await RawClient.handshake(running.url);
  const ada = await RawClient.handshake(running.url);
  try {
    const stored = await rawLogin(bob, "bob");
    bob.close();
    await until(() => running.server.sessionConnections(stored.key).length === 0, "bob left");
    const held = await rawLogin(ada, "ada");
    manager.holdForgetOf = held.key;
    manager.failHeldForget = true;
    manager.forgetGate.open();
    const id = requestIdFromNumber(42);
    ada.send(encodeRestoreSession(id, stored.key));
    const reply = await ada.next();
    assert.equal(reply.kind, "reply", "restored");
    await until(() => manager.forgotten.includes(held.key), "the old session's destroy ran");
    assert.ok(await ada.silentFor(200), "no second reply to the same request");
    assert.equal(running.server.sessionConnections(stored.key).length, 1);
  } finally {
    ada.close();
    await running.close();
  }
});
