// Release notices (the idle clock of a session nobody holds): outside a cluster one that the
// session manager fails is tried again (a blip of the store must not leave the session stored for
// good), and a shutdown waits for them, but not for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { IncomingRequest } from "./incoming.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { type StartedServer, type StartOptions, startServer } from "../testing/serve.ts";
import type { Logger } from "../protocol/logger.ts";
import { until } from "../testing/until.ts";

/** Logs the client in: a new session for the user named by the payload. */
async function login(request: IncomingRequest): Promise<string> {
  await request.connection.createSession({ user: request.payload.text() });
  return "ok";
}

/** A server whose sessions idle out after a minute, with `login` as its request handler. */
function startLoginServer(
  sessionManager: MemorySessionManager,
  logger: Logger,
  options: StartOptions = {},
): Promise<StartedServer> {
  return startServer({
    sessionManager,
    sessionIdleTimeout: 60_000,
    logger,
    onRequest: login,
    ...options,
  });
}

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
  const running = await startLoginServer(sessionManager, logger);
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

/** A memory session manager whose release notices never settle. */
class HungReleaseManager extends MemorySessionManager {
  override onSessionReleased(): Promise<void> {
    return new Promise(() => {});
  }
}

test("a shutdown waits for release notices at most closeTimeout (1 s at least), and logs those cut short", async () => {
  const { logger, errors } = recordingLogger();
  const running = await startLoginServer(new HungReleaseManager(), logger, { closeTimeout: 300 });
  const client = await RawClient.handshake(running.url);
  await rawLogin(client, "ada");
  const started = performance.now();
  await running.close();
  const took = performance.now() - started;
  client.close();
  assert.ok(took < 3000, `the shutdown took ${Math.round(took)} ms`);
  assert.equal(errors.length, 1);
  assert.match(
    errors[0].message,
    /1 session releases were still running 1000 ms into the shutdown/,
  );
});

/** A memory session manager whose release notices all fail; counts them. */
class RefusingReleaseManager extends MemorySessionManager {
  notices = 0;

  override onSessionReleased(): Promise<void> {
    this.notices++;
    return Promise.reject(new Error("the store is away"));
  }
}

test("release notices failing during an outage are logged at the 1st, 10th, ... failure", async () => {
  const sessionManager = new RefusingReleaseManager();
  const { logger, errors } = recordingLogger();
  const running = await startLoginServer(sessionManager, logger);
  try {
    const clients = await Promise.all(
      Array.from({ length: 12 }, () => RawClient.handshake(running.url)),
    );
    for (const [i, client] of clients.entries()) await rawLogin(client, `user ${i}`);
    for (const client of clients) client.close();
    await until(() => sessionManager.notices >= 12, "every release tried");
    const lines = errors.filter((line) => line.message.startsWith("releasing a session failed"));
    assert.deepEqual(lines.map((line) => line.message), [
      "releasing a session failed (1 in a row)",
      "releasing a session failed (10 in a row)",
    ]);
  } finally {
    await running.close();
  }
});
