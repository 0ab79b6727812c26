import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  encodeCloseSession,
  encodeRequest,
  encodeRestoreSession,
  parseSessionJson,
  requestIdFromNumber,
  requestIdKey,
  type SessionData,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { conformanceService } from "../conformance/service.ts";

const id = requestIdFromNumber;
let nextId = 1;

/** Server options with the conformance service, which implements login, whoami and logout. */
function sessionService(options: StartOptions = {}): StartOptions {
  return { logger: silentLogger, ...options, ...conformanceService() };
}

async function login(client: RawClient, user: string): Promise<SessionData> {
  client.send(encodeRequest({ id: id(nextId++), name: "login", payload: user }));
  const created = await client.next();
  assert.equal(created.kind, "session-created", "session-created comes before the reply");
  if (created.kind !== "session-created") throw new Error("unreachable");
  const reply = await client.next();
  assert.equal(reply.kind, "reply");
  return parseSessionJson(created.json);
}

async function restore(client: RawClient, key: string): Promise<string> {
  client.send(encodeRestoreSession(id(nextId++), key));
  const reply = await client.next();
  return reply.kind;
}

test("a session is created, announced, and restored on a new connection", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(sessionService({ sessionManager: manager }));
  try {
    const first = await RawClient.handshake(running.url);
    const session = await login(first, "ada");
    assert.match(session.key, /^[A-Za-z0-9_-]{64}$/);
    assert.deepEqual(session.info, { user: "ada" });
    assert.equal(running.server.activeSessionsCount, 1);
    first.close();
    await first.closed;

    const second = await RawClient.handshake(running.url);
    const requestId = id(nextId++);
    second.send(encodeRestoreSession(requestId, session.key));
    const reply = await second.next();
    assert.ok(reply.kind === "reply" && reply.encoding === "utf8");
    assert.deepEqual([...reply.id], [...requestId]);
    const restored = parseSessionJson(reply.payload);
    assert.equal(restored.key, session.key);
    assert.deepEqual(restored.info, { user: "ada" });
    assert.equal(restored.creation.toString(), session.creation.toString());

    second.send(encodeRequest({ id: id(nextId++), name: "whoami" }));
    const whoami = await second.next();
    assert.ok(whoami.kind === "reply");
    assert.equal(new TextDecoder().decode(whoami.payload), session.key);
    second.close();
  } finally {
    await running.close();
  }
});

test("restore answers not found for unknown and hostile keys, and internal error on failure", async () => {
  const running = await startServer(sessionService({
    sessionManager: {
      onSessionCreated: () => {},
      onSessionLookup: (key) => {
        if (key === "explode") throw new Error("storage down");
        return null;
      },
      onSessionClosed: () => {},
    },
  }));
  try {
    const client = await RawClient.handshake(running.url);
    assert.equal(await restore(client, "nope"), "session-not-found-reply");
    assert.equal(await restore(client, "explode"), "internal-error-reply");
    client.send(encodeRequest({ id: id(nextId++), name: "whoami" }));
    assert.equal((await client.next()).kind, "error-reply");
    client.close();
  } finally {
    await running.close();
  }
});

test("the file session manager keeps hostile keys away from the file system", async () => {
  const root = await mkdtemp(join(tmpdir(), "webwire-server-"));
  const directory = join(root, "sessions");
  const running = await startServer(
    sessionService({ sessionManager: new FileSessionManager({ directory }) }),
  );
  try {
    const client = await RawClient.handshake(running.url);
    const session = await login(client, "eve");
    for (const key of ["../../etc/passwd", "/etc/passwd", "..", "a".repeat(100_000 % 8000)]) {
      assert.equal(await restore(client, key), "session-not-found-reply", key.slice(0, 20));
    }
    assert.deepEqual(await readdir(directory), [`${session.key}.wwrsess`]);
    client.close();
  } finally {
    await running.close();
    await rm(root, { recursive: true, force: true });
  }
});

test("max session connections: restore beyond the limit is refused", async () => {
  const running = await startServer(sessionService({ maxSessionConnections: 1 }));
  try {
    const owner = await RawClient.handshake(running.url);
    const session = await login(owner, "bob");
    const other = await RawClient.handshake(running.url);
    assert.equal(await restore(other, session.key), "max-session-connections-reply");
    owner.close();
    await owner.closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await restore(other, session.key), "reply");
    assert.equal(running.server.sessionConnections(session.key).length, 1);
    other.close();
  } finally {
    await running.close();
  }
});

test("with sessions disabled, restore and close-session say so and createSession fails", async () => {
  const running = await startServer(sessionService({ sessionsEnabled: false }));
  try {
    const client = await RawClient.handshake(running.url);
    assert.equal(await restore(client, "any"), "sessions-disabled-reply");
    client.send(encodeCloseSession(id(nextId++)));
    assert.equal((await client.next()).kind, "sessions-disabled-reply");
    client.send(encodeRequest({ id: id(nextId++), name: "login", payload: "x" }));
    assert.equal((await client.next()).kind, "internal-error-reply");
    client.close();
  } finally {
    await running.close();
  }
});

test("a client's close-session gets an empty reply, detaches, destroys with the last", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(sessionService({ sessionManager: manager }));
  try {
    const a = await RawClient.handshake(running.url);
    const session = await login(a, "carol");
    const b = await RawClient.handshake(running.url);
    assert.equal(await restore(b, session.key), "reply");
    assert.equal(running.server.sessionConnections(session.key).length, 2);

    const closeId = id(nextId++);
    a.send(encodeCloseSession(closeId));
    const reply = await a.next();
    assert.ok(reply.kind === "reply" && reply.type === 191 && reply.bytes.length === 9);
    assert.deepEqual([...reply.id], [...closeId]);
    assert.ok(await b.silentFor(50), "no notification to the other connection");
    assert.equal(manager.size, 1, "still held by b");

    b.send(encodeCloseSession(id(nextId++)));
    assert.equal((await b.next()).kind, "reply");
    assert.equal(manager.size, 0, "destroyed with its last connection");
    assert.equal(running.server.activeSessionsCount, 0);
    // Without a session the answer is the same empty reply.
    b.send(encodeCloseSession(id(nextId++)));
    const again = await b.next();
    assert.ok(again.kind === "reply" && again.bytes.length === 9);
    a.close();
    b.close();
  } finally {
    await running.close();
  }
});

test("the server closes a session on every connection and notifies each", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(sessionService({ sessionManager: manager }));
  try {
    const a = await RawClient.handshake(running.url);
    const session = await login(a, "dan");
    const b = await RawClient.handshake(running.url);
    assert.equal(await restore(b, session.key), "reply");
    assert.equal(await running.server.closeSession(session.key), 2);
    assert.equal((await a.next()).kind, "session-closed");
    assert.equal((await b.next()).kind, "session-closed");
    assert.equal(manager.size, 0);
    assert.equal(await restore(a, session.key), "session-not-found-reply");
    a.close();
    b.close();
  } finally {
    await running.close();
  }
});

test("a handler's closeSession notifies its connection; a second session is refused", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(sessionService({ sessionManager: manager }));
  try {
    const client = await RawClient.handshake(running.url);
    await login(client, "erin");
    client.send(encodeRequest({ id: id(nextId++), name: "login", payload: "again" }));
    assert.equal((await client.next()).kind, "internal-error-reply");
    const logoutId = nextId++;
    client.send(encodeRequest({ id: id(logoutId), name: "logout" }));
    assert.equal((await client.next()).kind, "session-closed");
    const reply = await client.next();
    assert.ok(reply.kind === "reply" && requestIdKey(reply.id) === logoutId);
    assert.equal(manager.size, 0);
    client.close();
  } finally {
    await running.close();
  }
});
