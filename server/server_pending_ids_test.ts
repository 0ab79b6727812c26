// Which request ids count as pending, whichever way a request is answered: a reply sent while
// its handler is called frees the id at once (the same id may follow at once), while an id
// stays pending as long as its handler's promise or its wait for a concurrency slot lasts (not
// once its reply is sent, even if that reply waits for a full send buffer); a reuse in that time
// closes with 1002.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeCloseSession,
  encodeRequest,
  encodeRestoreSession,
  requestIdFromNumber,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { inProcessConnection } from "../testing/in_process_connection.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { SessionManager } from "../session/session_manager.ts";
import { rawLogin } from "../testing/raw_session.ts";
import type { ProtocolViolation } from "./options.ts";

const id = requestIdFromNumber;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("an id answered while its handler is called may come again at once, in one burst", async () => {
  const violations: ProtocolViolation[] = [];
  const running = await startServer({
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onRequest: (request) => request.payload, // answers at once
  });
  try {
    const client = await RawClient.handshake(running.url);
    for (let n = 0; n < 5; n++) {
      client.send(encodeRequest({ id: id(7), name: "e", payload: `${n}` }));
    }
    for (let n = 0; n < 5; n++) {
      const reply = await client.next();
      assert.ok(reply.kind === "reply" && new TextDecoder().decode(reply.payload) === `${n}`);
    }
    assert.deepEqual(violations, []);
    client.close();
  } finally {
    await running.close();
  }
});

test("an id waiting for a concurrency slot is pending: its reuse closes with 1002", async () => {
  const violations: ProtocolViolation[] = [];
  const running = await startServer({
    logger: silentLogger,
    beforeUpgrade: () => ({ concurrencyLimit: 1 }),
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    // "slow" answers after 200 ms, "held" once the test opens `held`, anything else at once.
    onRequest: (request) =>
      request.name === "slow"
        ? sleep(200).then(() => request.payload)
        : request.name === "held"
        ? held.promise.then(() => request.payload)
        : request.payload,
  });
  const held = Promise.withResolvers<void>();
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(1), name: "slow" })); // takes the only slot
    client.send(encodeRequest({ id: id(2), name: "quick" })); // waits for it
    assert.equal((await client.next()).kind, "reply"); // the slow one
    assert.equal((await client.next()).kind, "reply"); // then the quick one, answered at once
    // Both ids are free again, also the one that waited for a slot.
    client.send(encodeRequest({ id: id(2), name: "quick" }));
    assert.equal((await client.next()).kind, "reply");
    assert.equal(violations.length, 0);
    client.send(encodeRequest({ id: id(1), name: "held" }));
    client.send(encodeRequest({ id: id(3), name: "quick" })); // waits for the slot
    client.send(encodeRequest({ id: id(3), name: "quick" }));
    await until(() => violations.length === 1, "the reuse reported");
    held.resolve(); // the connection closes once the held request is answered
    assert.equal((await client.closed).code, 1002);
    assert.deepEqual(violations.map((v) => v.kind), ["duplicate-request-id"]);
  } finally {
    held.resolve();
    await running.close();
  }
});

test("an id is free once its reply is sent, even while the reply waits for the buffer to drain", async () => {
  const connection = inProcessConnection({
    sendHighWaterMark: 1024,
    onRequest: (request) => request.payload, // answers at once
  });
  const { events, sent, violations } = connection;
  const big = new Uint8Array(4096);
  connection.queued = 1_000_000; // the socket cannot write for now
  events.message(encodeRequest({ id: id(3), name: "e", payload: big }));
  assert.equal(decodeMessage(sent.at(-1)!).kind, "reply", "sent, but waiting in the buffer");
  // A client that has the reply may send the id again before the server sees the buffer drain.
  events.message(encodeRequest({ id: id(3), name: "e", payload: big }));
  assert.equal(connection.replies(), 2);
  assert.deepEqual(violations, []);
  connection.queued = 0;
  events.drained();
  await sleep(0);
  assert.equal(connection.closedWith, undefined);
  await connection.server.shutdown();
});

test("a message delivered from within a send (a loopback transport) keeps the pending ids right", async () => {
  let finish = () => {};
  const connection = inProcessConnection({
    onRequest: (request) => {
      if (request.name !== "outer") return request.payload; // answers at once
      request.connection.signal("progress");
      return new Promise<string>((resolve) => finish = () => resolve("done"));
    },
  });
  const { server, events, violations, replies } = connection;
  let looped = false;
  connection.onSend = (bytes) => {
    // The signal sent by the outer handler brings another request in before the handler returns.
    if (looped || decodeMessage(bytes).kind !== "signal") return;
    looped = true;
    events.message(encodeRequest({ id: id(2), name: "inner" }));
  };
  events.message(encodeRequest({ id: id(1), name: "outer" }));
  assert.equal(replies(), 1, "the inner request was answered");
  events.message(encodeRequest({ id: id(1), name: "outer" })); // the outer one is still pending
  assert.deepEqual(violations.map((v) => v.kind), ["duplicate-request-id"]);
  finish();
  await server.shutdown();
});

test("a thenable that calls back twice is answered once", async () => {
  const { server, events, replies } = inProcessConnection({
    onRequest: (request) => {
      if (request.name !== "twice") return request.payload;
      return {
        then(resolve: (value: string) => void, reject: (error: unknown) => void) {
          resolve("first");
          resolve("second");
          reject(new Error("third"));
          throw new Error("fourth");
        },
      } as unknown as Promise<string>;
    },
  });
  events.message(encodeRequest({ id: id(1), name: "twice" }));
  assert.equal(replies(), 1);
  events.message(encodeRequest({ id: id(1), name: "again" })); // its id is free: answered
  assert.equal(replies(), 2);
  await server.shutdown(); // no handler left running: resolves
});

test("restore- and close-session requests are requests: their ids are pending until answered", async () => {
  // A restore of HELD_KEY and a request named "held" are answered once the test opens `held`.
  const HELD_KEY = "k".repeat(20);
  let held = Promise.withResolvers<void>();
  const violations: ProtocolViolation[] = [];
  const running = await startServer({
    logger: silentLogger,
    sessionManager: {
      onSessionCreated: () => {},
      onSessionLookup: (key) => key === HELD_KEY ? held.promise.then(() => null) : null,
      onSessionClosed: () => {},
    },
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onRequest: (request) =>
      request.name === "held" ? held.promise.then(() => request.payload) : request.payload,
  });
  try {
    // Once answered, a session request's id is free at once, for any kind of request.
    const free = await RawClient.handshake(running.url);
    free.send(encodeCloseSession(id(9)));
    assert.equal((await free.next()).kind, "reply");
    free.send(encodeRestoreSession(id(9), "no-such-session"));
    assert.equal((await free.next()).kind, "session-not-found-reply");
    free.send(encodeRequest({ id: id(9), name: "e", payload: "9" }));
    assert.equal((await free.next()).kind, "reply");
    assert.equal(violations.length, 0);
    free.close();
    // The id of a request still pending, reused by a restore-session request, and the other way.
    for (const [first, second] of [["request", "restore"], ["restore", "request"]] as const) {
      const reported = violations.length;
      const client = await RawClient.handshake(running.url);
      const restore = encodeRestoreSession(id(7), HELD_KEY);
      const request = encodeRequest({ id: id(7), name: "held", payload: "7" });
      client.send(first === "request" ? request : restore);
      client.send(second === "request" ? request : restore);
      await until(() => violations.length === reported + 1, `${first}, then ${second} reported`);
      held.resolve(); // the connection closes once the first is answered
      held = Promise.withResolvers<void>();
      assert.equal((await client.closed).code, 1002, `${first}, then ${second}`);
    }
    assert.equal(violations.length, 2);
    assert.ok(violations.every((violation) => violation.kind === "duplicate-request-id"));
  } finally {
    held.resolve();
    await running.close();
  }
});

test("a session request's id, reused once answered, stays pending until its own answer", async () => {
  // The first restore's handling goes on after its reply (the session the connection held is
  // destroyed slowly); once, its end freed the id of the second restore, still pending.
  const memory = new MemorySessionManager();
  const manager: SessionManager = {
    onSessionCreated: (session) => memory.onSessionCreated(session),
    onSessionLookup: async (key) =>
      (await memory.onSessionLookup(key)) ?? sleep(300).then(() => null),
    onSessionClosed: (key) => sleep(200).then(() => memory.onSessionClosed(key)),
  };
  const violations: ProtocolViolation[] = [];
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onRequest: async (request) => void await request.connection.createSession(),
  });
  try {
    const other = await RawClient.handshake(running.url);
    const stored = await rawLogin(other, "ada");
    other.close();
    await until(() => running.server.activeSessionsCount === 0, "stored, not held");
    const client = await RawClient.handshake(running.url);
    await rawLogin(client, "bob");
    client.send(encodeRestoreSession(id(7), stored.key));
    while ((await client.next()).kind !== "reply") { /* session-closed, session-created */ }
    client.send(encodeRestoreSession(id(7), "u".repeat(24))); // free again: pending ~0.5 s
    await sleep(300); // the first restore's handling has ended meanwhile
    client.send(encodeRestoreSession(id(7), "v".repeat(24))); // the second is still pending
    assert.equal((await client.closed).code, 1002);
    assert.deepEqual(violations.map((violation) => violation.kind), ["duplicate-request-id"]);
  } finally {
    await running.close();
  }
});

test("ids beyond 2^53 (random bytes) are told apart to the last bit; a pending one's reuse closes", async () => {
  const violations: ProtocolViolation[] = [];
  const held = Promise.withResolvers<void>();
  const running = await startServer({
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onRequest: (request) =>
      request.name === "held" ? held.promise.then(() => request.payload) : request.payload,
  });
  try {
    const client = await RawClient.handshake(running.url);
    const pending = new Uint8Array([0x9d, 0x41, 0x07, 0xe2, 0x55, 0xc3, 0x18, 0xfe]);
    client.send(encodeRequest({ id: pending, name: "held" }));
    // Each differs from the pending id in one bit, as numbers all would be the same.
    for (let bit = 0; bit < 64; bit++) {
      const near = pending.slice();
      near[bit >> 3] ^= 1 << (bit & 7);
      client.send(encodeRequest({ id: near, name: "echo", payload: `${bit}` }));
      const reply = await client.next();
      assert.ok(reply.kind === "reply", `bit ${bit}`);
      assert.deepEqual(reply.id, near);
    }
    assert.equal(violations.length, 0);
    client.send(encodeRequest({ id: pending.slice(), name: "echo" }));
    await until(() => violations.length === 1, "the reuse reported");
    held.resolve(); // the connection closes once the held request is answered
    assert.equal((await client.closed).code, 1002);
    assert.deepEqual(violations.map((v) => v.kind), ["duplicate-request-id"]);
  } finally {
    held.resolve();
    await running.close();
  }
});
