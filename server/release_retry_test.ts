// Outside a cluster, a release notice (the idle clock of a session nobody holds) that the session
// manager fails is tried again: a blip of the store must not leave the session stored for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

/** A memory session manager whose first release notice fails. */
class FailingOnceManager extends MemorySessionManager {
  readonly released: string[] = [];
  #failed = false;

  override onSessionReleased(key: string): Promise<void> {
    if (!this.#failed) {
      this.#failed = true;
      return Promise.reject(new Error("the store is away"));
    }
    this.released.push(key);
    return Promise.resolve();
  }
}

test("a release notice that failed is tried again, and logged once", async () => {
  const sessionManager = new FailingOnceManager();
  const { logger, errors } = recordingLogger();
  const running = await startServer({
    sessionManager,
    sessionIdleTimeout: 60_000,
    logger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    const { key } = await rawLogin(client, "ada");
    client.close();
    await until(() => errors.length === 1, "the failed release logged");
    await until(() => sessionManager.released.length === 1, "tried again", 5000);
    assert.deepEqual(sessionManager.released, [key]);
    assert.equal(errors.length, 1);
  } finally {
    await running.close();
  }
});
