import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { Session } from "../protocol/session_json.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";
import {
  MaxSessionConnectionsError,
  SessionActiveError,
  SessionNotFoundError,
  SessionsDisabledError,
} from "./errors.ts";
import { memorySessionStorage } from "./session_storage.ts";
import {
  nextEvent,
  recordingLogger,
  testRequestHandler,
  waitFor,
} from "../testing/client_support.ts";
import { stablePort } from "../testing/stable_port.ts";

const serverOptions: StartOptions = { onRequest: testRequestHandler, logger: silentLogger };

function newClient(url: string, options: ClientOptions = {}): Client {
  return new Client(url, { logger: silentLogger, ...options });
}

describe("Client sessions", () => {
  it("keeps the session the server creates and fires sessioncreated", async () => {
    const running = await startServer(serverOptions);
    const hooked: Session[] = [];
    const client = newClient(running.url, { onSessionCreated: (s) => hooked.push(s) });
    await client.connect();
    assert.equal(client.session, null);
    const created = nextEvent(client, "sessioncreated");
    assert.equal((await client.request("login", "ada")).text(), "ok");
    const event = await created;
    const session = client.session!;
    assert.ok(session !== null);
    assert.equal(event.detail, session);
    assert.equal(hooked[0], session);
    assert.equal(session.key.length, 64);
    assert.deepEqual(session.info, { user: "ada" });
    assert.ok(session.creation instanceof Timestamp);
    assert.ok(session.lastLookup instanceof Timestamp);
    assert.equal((await client.request("whoami")).text(), session.key);
    await client.close();
    await running.close();
  });

  it("closeSession() detaches the session on the server, forgets it and fires sessionclosed", async () => {
    const running = await startServer(serverOptions);
    let hooked = 0;
    const client = newClient(running.url, { onSessionClosed: () => hooked++ });
    await client.connect();
    await client.closeSession(); // without a session: nothing to do
    assert.equal(hooked, 0);
    await client.request("login", "bob");
    await waitFor(() => client.session !== null);
    const closed = nextEvent(client, "sessionclosed");
    await client.closeSession();
    await closed;
    assert.equal(client.session, null);
    assert.equal(hooked, 1);
    assert.equal((await client.request("whoami")).text(), "");
    assert.equal(running.server.activeSessionsCount, 0);
    await client.close();
    await running.close();
  });

  it("closeSession() after close() forgets the session and its stored key, autoconnect or not", async () => {
    const running = await startServer(serverOptions);
    for (const autoconnect of [true, false]) {
      const storage = memorySessionStorage();
      const client = newClient(running.url, { sessionStorage: storage, autoconnect });
      await client.connect();
      await client.request("login", "bob");
      await waitFor(() => client.session !== null);
      assert.notEqual(await storage.get(), null);
      await client.close();
      const closed = nextEvent(client, "sessionclosed");
      await client.closeSession(); // nothing to send it on: forgotten here
      await closed;
      assert.equal(client.session, null);
      assert.equal(await storage.get(), null, `autoconnect: ${autoconnect}`);
    }
    await running.close();
  });

  it("forgets the session when the server closes it", async () => {
    const running = await startServer(serverOptions);
    const client = newClient(running.url);
    await client.connect();
    await client.request("login", "cy");
    await waitFor(() => client.session !== null);
    const closed = nextEvent(client, "sessionclosed");
    await client.request("logout");
    await closed;
    assert.equal(client.session, null);
    await client.close();
    await running.close();
  });

  it("restoreSession() restores a session by key, and fails as the server answers", async () => {
    const running = await startServer({ ...serverOptions, maxSessionConnections: 2 });
    const first = newClient(running.url);
    await first.connect();
    await first.request("login", "dee");
    await waitFor(() => first.session !== null);
    const key = first.session!.key;

    const second = newClient(running.url);
    await second.connect();
    const created = nextEvent(second, "sessioncreated");
    await second.restoreSession(key);
    assert.equal((await created).detail.key, key);
    assert.equal(second.session?.key, key);
    assert.deepEqual(second.session?.info, { user: "dee" });
    assert.equal((await second.request("whoami")).text(), key);
    await assert.rejects(second.restoreSession(key), SessionActiveError);

    const third = newClient(running.url);
    await third.connect();
    await assert.rejects(third.restoreSession(key), MaxSessionConnectionsError);
    await assert.rejects(third.restoreSession("x".repeat(64)), SessionNotFoundError);
    assert.equal(third.session, null);
    await Promise.all([first.close(), second.close(), third.close()]);
    await running.close();

    const disabled = await startServer({ ...serverOptions, sessionsEnabled: false });
    const client = newClient(disabled.url);
    await assert.rejects(client.restoreSession(key), SessionsDisabledError);
    await client.close();
    await disabled.close();
  });

  it("restores the session automatically after a reconnect", async () => {
    const sessionManager = new MemorySessionManager();
    const port = await stablePort(); // taken again after the server went away
    let running = await startServer({ ...serverOptions, sessionManager, port });
    let closedEvents = 0;
    const client = newClient(running.url, {
      reconnect: { initialDelay: 10, maxDelay: 40 },
      onSessionClosed: () => closedEvents++,
    });
    await client.connect();
    await client.request("login", "eve");
    await waitFor(() => client.session !== null);
    const key = client.session!.key;

    const disconnected = nextEvent(client, "disconnected");
    await running.close();
    await disconnected;
    const reconnected = nextEvent(client, "connected");
    running = await startServer({ ...serverOptions, sessionManager, port });
    await reconnected;
    assert.equal(client.session?.key, key);
    assert.equal((await client.request("whoami")).text(), key);
    assert.equal(closedEvents, 0);
    await client.close();
    await running.close();
  });

  it("forgets the session when the restore after a reconnect fails", async () => {
    const port = await stablePort(); // taken again after the server went away
    let running = await startServer({ ...serverOptions, port });
    const log = recordingLogger();
    const client = newClient(running.url, {
      logger: log.logger,
      reconnect: { initialDelay: 10, maxDelay: 40 },
    });
    await client.connect();
    await client.request("login", "fay");
    await waitFor(() => client.session !== null);
    const disconnected = nextEvent(client, "disconnected");
    await running.close();
    await disconnected;
    // A new server with an empty session manager knows no session.
    const closed = nextEvent(client, "sessionclosed");
    const reconnected = nextEvent(client, "connected");
    running = await startServer({ ...serverOptions, port });
    await reconnected;
    await closed;
    assert.equal(client.session, null);
    assert.match(log.warnings.join("\n"), /the session could not be restored: /);
    assert.equal((await client.request("whoami")).text(), "");
    await client.close();
    await running.close();
  });

  it("persists the session key in a session storage and restores it on the first connect", async () => {
    const running = await startServer(serverOptions);
    const storage = memorySessionStorage();
    const first = newClient(running.url, { sessionStorage: storage });
    await first.connect();
    await first.request("login", "gil");
    await waitFor(() => first.session !== null);
    const key = first.session!.key;
    assert.equal(await storage.get(), key);

    const second = newClient(running.url, { sessionStorage: storage });
    const created = nextEvent(second, "sessioncreated");
    await second.connect();
    assert.equal(second.session?.key, key); // restored before connect() resolved
    await created;
    await second.closeSession();
    assert.equal(await storage.get(), null);

    const stale = memorySessionStorage("y".repeat(64));
    const third = newClient(running.url, { sessionStorage: stale });
    await third.connect();
    assert.equal(third.session, null);
    assert.equal(await stale.get(), null);
    await Promise.all([first.close(), second.close(), third.close()]);
    await running.close();
  });

  it("a stale stored key: one short warning through the logger, sessionclosed, storage cleared", async () => {
    const running = await startServer(serverOptions);
    const calls: unknown[][] = [];
    const logger = {
      warn: (...data: unknown[]) => calls.push(data),
      error: (...data: unknown[]) => calls.push(data),
    };
    const stale = memorySessionStorage("z".repeat(64));
    const client = newClient(running.url, { sessionStorage: stale, logger });
    let closedEvents = 0;
    client.addEventListener("sessionclosed", () => closedEvents++);
    await client.connect();
    assert.equal(client.session, null);
    assert.equal(closedEvents, 1);
    assert.equal(await stale.get(), null);
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.equal(calls[0].length, 1, "one argument: a line, not an error with its stack");
    const line = calls[0][0];
    assert.equal(typeof line, "string");
    assert.ok(!(line as string).includes("\n"), String(line));
    assert.match(
      line as string,
      /^webwire client: the stored session could not be restored: the server found no session/,
    );
    await client.close();
    await running.close();
  });
});
