import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeCloseSession, requestIdFromNumber } from "../protocol/mod.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { logoutGiveUp, StoreRetries, unusedGiveUp } from "./store_retries.ts";

/** A memory session manager whose first forget fails (its store hiccups once). */
class FirstForgetFails extends MemorySessionManager {
  failures = 1;
  forgotten = 0;
  override onSessionClosed(key: string): void {
    if (this.failures-- > 0) throw new Error("the store hiccups");
    this.forgotten++;
    super.onSessionClosed(key);
  }
}

test("a logout whose destroy failed is destroyed by a later try: its key restores nothing", async () => {
  const manager = new FirstForgetFails();
  const { logger, errors } = recordingLogger();
  const running = await startServer({
    logger,
    sessionManager: manager,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    const { key } = await rawLogin(client, "ada");
    client.send(encodeCloseSession(requestIdFromNumber(77)));
    const answer = await client.next();
    assert.equal(answer.kind, "reply", "the logout is answered");
    assert.equal(errors.length, 1, "the failed destroy is logged");
    await until(() => manager.forgotten === 1, "tried again");
    const other = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(other, key), "session-not-found-reply");
    client.close();
    other.close();
  } finally {
    await running.close();
  }
});

test("tries run on their schedule; the last failure is logged once; stop ends them", async () => {
  const { logger, errors } = recordingLogger();
  const retries = new StoreRetries(logger, logoutGiveUp, [5, 5, 5]);
  let failing = 0;
  retries.add("failing", () => {
    failing++;
    return Promise.reject(new Error("still away"));
  });
  let held = 0;
  retries.add("held", () => Promise.resolve(held++ < 0));
  retries.add("held", () => Promise.reject(new Error("a second add of a key waiting is ignored")));
  await until(() => retries.size === 0, "all tries over");
  assert.equal(failing, 3);
  assert.equal(held, 3, "a session someone holds is tried on schedule, then left to its holder");
  assert.equal(errors.length, 1, "given up: logged once");
  assert.match(errors[0].message, /gave up destroying a logged-out session/);

  const stopped = new StoreRetries(logger, logoutGiveUp, [5]);
  let tried = false;
  stopped.add("key", () => Promise.resolve(tried = true));
  stopped.stop();
  stopped.add("another", () => Promise.resolve(tried = true));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(tried, false);
  assert.equal(stopped.size, 0);
  assert.equal(errors.length, 2, "a step added after the stop is given up, and logged");
  assert.match(errors[1].message, /gave up destroying a logged-out session \(1 so far\)/);
  assert.match(String(errors[1].details[0]), /shutting down/);
});

test("a step added with its own notice is given up with that notice", async () => {
  const { logger, errors } = recordingLogger();
  const retries = new StoreRetries(logger, logoutGiveUp, [5, 5]);
  retries.add("unused", () => Promise.reject(new Error("still away")), unusedGiveUp);
  await until(() => retries.size === 0, "all tries over");
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /gave up forgetting a session stored for a login that failed/);
  assert.doesNotMatch(errors[0].message, /logged-out/);
});
