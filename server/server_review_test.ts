import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import {
  encodeCloseSession,
  encodeRequest,
  encodeRestoreSession,
  type Message,
  parseSessionJson,
  requestIdFromNumber,
} from "../protocol/mod.ts";
import type { IncomingRequest } from "../server/incoming.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { recordingTimers } from "../testing/recording_timers.ts";

const maxTimerDelay = 2 ** 31 - 1;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let nextId = 1;
const id = (): Uint8Array => requestIdFromNumber(nextId++);

/** A memory session manager whose `onSessionClosed` takes `closeMs`. */
class SlowClosingManager extends MemorySessionManager {
  readonly closeMs: number;
  constructor(closeMs: number) {
    super();
    this.closeMs = closeMs;
  }
  override async onSessionClosed(key: string): Promise<void> {
    await delay(this.closeMs);
    super.onSessionClosed(key);
  }
}

/** A memory session manager that fails to destroy sessions. */
class FailingCloseManager extends MemorySessionManager {
  override onSessionClosed(): Promise<void> {
    return Promise.reject(new Error("disk on fire"));
  }
}

async function login(request: IncomingRequest): Promise<string> {
  if (request.name !== "login") return "?";
  const session = await request.connection.createSession({ user: request.payload.text() });
  return session.key;
}

/** Logs in on `client` and returns the session key. */
async function loginOn(client: RawClient, user: string): Promise<string> {
  client.send(encodeRequest({ id: id(), name: "login", payload: user }));
  const created = await client.next();
  assert.equal(created.kind, "session-created");
  await client.next();
  return parseSessionJson((created as Message & { json: Uint8Array }).json).key;
}

describe("Server review: timers and sessions", () => {
  it("does not spin the read timer of a read timeout above 2^31 - 1 ms", async () => {
    const running = await startServer({ logger: silentLogger, readTimeout: 3_000_000_000 });
    try {
      await recordingTimers(async (delays) => {
        const client = await RawClient.handshake(running.url);
        await delay(100);
        const tooLong = delays.filter((ms) => ms > maxTimerDelay);
        assert.deepEqual(tooLong, [], "timers longer than 2^31 - 1 ms fire at once");
        assert.ok(delays.length < 20, `${delays.length} timers set in 100 ms of silence`);
        assert.equal(running.server.connectionCount, 1);
        client.close();
        await client.closed;
      });
    } finally {
      await running.close();
    }
  });

  it("keeps no registry entry of a session created while a restore replaces another", async () => {
    const running = await startServer({
      logger: silentLogger,
      sessionManager: new SlowClosingManager(100),
      onRequest: login,
    });
    try {
      const bob = await RawClient.handshake(running.url);
      const bobKey = await loginOn(bob, "bob");
      const ada = await RawClient.handshake(running.url);
      await loginOn(ada, "ada");
      // The restore destroys ada's session (slowly); a login arrives meanwhile.
      ada.send(encodeRestoreSession(id(), bobKey));
      ada.send(encodeRequest({ id: id(), name: "login", payload: "eve" }));
      await delay(250);
      ada.close();
      await ada.closed;
      await delay(50);
      assert.equal(running.server.connectionCount, 1);
      assert.equal(running.server.activeSessionsCount, 1, "only bob's session is held");
      assert.equal(running.server.sessionConnections(bobKey).length, 1);
      bob.close();
      await bob.closed;
      await delay(50);
      assert.equal(running.server.activeSessionsCount, 0);
    } finally {
      await running.close();
    }
  });

  it("tells the client its session closed even when destroying the session fails", async () => {
    const failures: unknown[] = [];
    const running = await startServer({
      logger: silentLogger,
      sessionManager: new FailingCloseManager(),
      onRequest: async (request) => {
        if (request.name !== "logout") return login(request);
        await request.connection.closeSession().catch((error) => failures.push(error));
        return "ok";
      },
    });
    try {
      const client = await RawClient.handshake(running.url);
      await loginOn(client, "ada");
      client.send(encodeRequest({ id: id(), name: "logout" }));
      assert.equal((await client.next()).kind, "session-closed");
      assert.equal((await client.next()).kind, "reply");
      assert.equal(failures.length, 1, "closeSession still reports the failure");
      assert.equal(running.server.activeSessionsCount, 0);
      client.close();
      await client.closed;
    } finally {
      await running.close();
    }
  });

  it("answers a close-session request with the empty reply even when destroying fails", async () => {
    const running = await startServer({
      logger: silentLogger,
      sessionManager: new FailingCloseManager(),
      onRequest: login,
    });
    try {
      const client = await RawClient.handshake(running.url);
      await loginOn(client, "ada");
      client.send(encodeCloseSession(id()));
      const reply = await client.next();
      assert.equal(reply.kind, "reply", "the connection left its session: the reference says ok");
      assert.equal(reply.bytes.length, 9);
      assert.equal(running.server.activeSessionsCount, 0);
      client.close();
      await client.closed;
    } finally {
      await running.close();
    }
  });
});
