// A handler's createSession racing the client's restore-session or close-session request:
// session changes of one connection take effect one at a time, in the order they began, and
// the messages the client gets follow that order, so its view ends where the server's does.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeCloseSession,
  encodeRequest,
  encodeRestoreSession,
  type Message,
  parseSessionJson,
  requestIdFromNumber,
  requestIdKey,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { Session, SessionLookupResult, SessionManager } from "../session/session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { SessionUnavailableError } from "./errors.ts";
import type { IncomingRequest } from "./incoming.ts";

const id = requestIdFromNumber;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A session manager in memory whose operations take as long as the test says. */
class SlowManager implements SessionManager {
  readonly #memory = new MemorySessionManager();
  lookupMs = 0;
  createMs = 0;
  closeMs = 0;
  /** How many sessions are stored. */
  get size(): number {
    return this.#memory.size;
  }
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    await sleep(this.lookupMs);
    return this.#memory.onSessionLookup(key);
  }
  async onSessionCreated(session: Session): Promise<void> {
    await sleep(this.createMs);
    this.#memory.onSessionCreated(session);
  }
  async onSessionClosed(key: string): Promise<void> {
    await sleep(this.closeMs);
    this.#memory.onSessionClosed(key);
  }
}

/** Logs in; replies with the key, or with why the session could not be created. */
async function login(request: IncomingRequest): Promise<string> {
  try {
    return (await request.connection.createSession({ user: request.payload.text() })).key;
  } catch (error) {
    if (error instanceof SessionUnavailableError) return `refused: ${error.reason}`;
    throw error;
  }
}

async function setUp() {
  const manager = new SlowManager();
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    onRequest: login,
  });
  return { manager, running };
}

/** Logs in on a new connection and returns it with the session key. */
async function loggedIn(url: string, user: string): Promise<{ client: RawClient; key: string }> {
  const client = await RawClient.handshake(url);
  client.send(encodeRequest({ id: id(100), name: "login", payload: user }));
  const created = await client.next();
  assert.ok(created.kind === "session-created");
  await client.next();
  return { client, key: parseSessionJson(created.json).key };
}

/**
 * What a client that applies each message in order holds at the end: session-created and a
 * restore's success reply set the session, session-closed and the reply to its own
 * close-session request clear it.
 */
function clientView(
  messages: Message[],
  initial: string | null,
  requests: { restore?: number; close?: number } = {},
): string | null {
  let key = initial;
  for (const message of messages) {
    if (message.kind === "session-created") key = parseSessionJson(message.json).key;
    else if (message.kind === "session-closed") key = null;
    else if (message.kind === "reply") {
      const replyTo = requestIdKey(message.id);
      if (replyTo === requests.close) key = null;
      if (replyTo === requests.restore) key = parseSessionJson(message.payload).key;
    }
  }
  return key;
}

function describe(message: Message): string {
  if (message.kind === "reply") {
    const text = new TextDecoder().decode(message.payload);
    return `reply ${requestIdKey(message.id)}${text.startsWith("refused") ? ` ${text}` : ""}`;
  }
  return message.kind;
}

test("createSession during a client's restore: the restore first, then the create is refused", async () => {
  const { manager, running } = await setUp();
  try {
    const bob = await loggedIn(running.url, "bob");
    const ada = await RawClient.handshake(running.url);
    manager.lookupMs = 150;
    ada.send(encodeRestoreSession(id(1), bob.key));
    await sleep(20); // the lookup is under way
    ada.send(encodeRequest({ id: id(2), name: "login", payload: "ada" }));
    const messages = [await ada.next(), await ada.next()];
    assert.deepEqual(messages.map(describe), ["reply 1", "reply 2 refused: exists"]);
    assert.equal(clientView(messages, null, { restore: 1 }), bob.key);
    const held = running.server.connections().map((c) => c.session?.key);
    assert.deepEqual(held, [bob.key, bob.key], "ada holds bob's session, nothing else");
    assert.equal(manager.size, 1, "no session was stored for ada");
    assert.ok(await ada.silentFor(100));
    bob.client.close();
    ada.close();
  } finally {
    await running.close();
  }
});

test("createSession during a client's close-session: the close reply, then session-created", async () => {
  const { manager, running } = await setUp();
  try {
    const { client, key } = await loggedIn(running.url, "ada");
    manager.closeMs = 150;
    client.send(encodeCloseSession(id(1)));
    await sleep(20); // destroying the old session is under way
    client.send(encodeRequest({ id: id(2), name: "login", payload: "ada again" }));
    const messages = [await client.next(), await client.next(), await client.next()];
    assert.deepEqual(messages.map(describe), ["reply 1", "session-created", "reply 2"]);
    const view = clientView(messages, key, { close: 1 });
    const [connection] = running.server.connections();
    assert.notEqual(view, null);
    assert.equal(view, connection.session?.key, "the client ends where the server does");
    assert.equal(manager.size, 1, "the old session was destroyed, the new one stored");
    client.close();
  } finally {
    await running.close();
  }
});

test("a restore during createSession: session-created, then the restore replaces it", async () => {
  const { manager, running } = await setUp();
  try {
    const bob = await loggedIn(running.url, "bob");
    const ada = await RawClient.handshake(running.url);
    manager.createMs = 150;
    ada.send(encodeRequest({ id: id(1), name: "login", payload: "ada" }));
    await sleep(20); // the new session is being stored
    ada.send(encodeRestoreSession(id(2), bob.key));
    const messages = [await ada.next(), await ada.next(), await ada.next()];
    assert.deepEqual(messages.map(describe), ["session-created", "reply 1", "reply 2"]);
    assert.equal(clientView(messages, null, { restore: 2 }), bob.key);
    const held = running.server.connections().map((c) => c.session?.key);
    assert.deepEqual(held, [bob.key, bob.key]);
    await until(() => manager.size === 1, "ada's session, replaced while her last, destroyed");
    bob.client.close();
    ada.close();
  } finally {
    await running.close();
  }
});

test("a close-session during createSession: session-created, then the close", async () => {
  const { manager, running } = await setUp();
  try {
    const client = await RawClient.handshake(running.url);
    manager.createMs = 150;
    client.send(encodeRequest({ id: id(1), name: "login", payload: "ada" }));
    await sleep(20);
    client.send(encodeCloseSession(id(2)));
    const messages = [await client.next(), await client.next(), await client.next()];
    assert.deepEqual(messages.map(describe), ["session-created", "reply 1", "reply 2"]);
    assert.equal(clientView(messages, null, { close: 2 }), null);
    assert.equal(running.server.connections()[0].session, null);
    assert.equal(manager.size, 0);
    client.close();
  } finally {
    await running.close();
  }
});

test("two createSession at once: the second waits and is refused, nothing is stored for it", async () => {
  const { manager, running } = await setUp();
  try {
    const client = await RawClient.handshake(running.url);
    manager.createMs = 100;
    client.send(encodeRequest({ id: id(1), name: "login", payload: "ada" }));
    client.send(encodeRequest({ id: id(2), name: "login", payload: "ada" }));
    const messages = [await client.next(), await client.next(), await client.next()];
    assert.deepEqual(messages.map(describe), [
      "session-created",
      "reply 1",
      "reply 2 refused: exists",
    ]);
    assert.equal(manager.size, 1);
    client.close();
  } finally {
    await running.close();
  }
});
