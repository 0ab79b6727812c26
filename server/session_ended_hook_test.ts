// The onSessionEnded hook: told once each time an open connection stops holding its session
// (close-session from the client, connection.closeSession(), server.closeSession(), a restore
// of another key), before the client hears session-closed; not when the connection ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeCloseSession, encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { testRequestHandler } from "../testing/client_support.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";

let nextId = 9000;

/** Sends request `name` and waits for its reply, skipping session notifications. */
async function ask(client: RawClient, name: string): Promise<string[]> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name, payload: "" }));
  const kinds: string[] = [];
  for (;;) {
    const message = await client.next();
    kinds.push(message.kind);
    if (message.kind === "reply" || message.kind.endsWith("-reply")) return kinds;
  }
}

test("onSessionEnded is told of every way an open connection leaves its session", async () => {
  const ended: { connection: Connection; key: string; heldThen: string | null }[] = [];
  const running = await startServer({
    logger: silentLogger,
    onRequest: testRequestHandler,
    onSessionEnded: (connection, session) => {
      assert.equal(typeof session.info?.user, "string", "the session's info comes along");
      ended.push({ connection, key: session.key, heldThen: connection.session?.key ?? null });
    },
  });
  const client = await RawClient.handshake(running.url);
  try {
    // 1. A handler's connection.closeSession().
    const first = await rawLogin(client, "ada");
    assert.deepEqual(await ask(client, "logout"), ["session-closed", "reply"]);
    assert.equal(ended.length, 1);
    assert.equal(ended[0].key, first.key);
    assert.equal(ended[0].heldThen, null, "the connection holds no session when told");
    // 2. The client's close-session request.
    const second = await rawLogin(client, "bob");
    client.send(encodeCloseSession(requestIdFromNumber(nextId++)));
    assert.equal((await client.next()).kind, "reply");
    assert.deepEqual(ended.map((e) => e.key), [first.key, second.key]);
    // 3. server.closeSession(key), as for a session past its maximum age.
    const third = await rawLogin(client, "cy");
    await running.server.closeSession(third.key);
    assert.equal((await client.next()).kind, "session-closed");
    assert.deepEqual(ended.map((e) => e.key), [first.key, second.key, third.key]);
    // 4. A restore of another key replaces the session held.
    const other = await RawClient.handshake(running.url);
    const fourth = await rawLogin(other, "dee");
    other.close();
    await until(() => running.server.connectionCount === 1, "the other connection ended");
    const fifth = await rawLogin(client, "eve");
    assert.equal(await rawRestore(client, fourth.key), "reply");
    assert.deepEqual(ended.map((e) => e.key), [first.key, second.key, third.key, fifth.key]);
    assert.ok(ended.every((e) => e.connection === ended[0].connection));
    // The connection ending with a session is no call: onClientDisconnected covers it.
    client.close();
    await until(() => running.server.connectionCount === 0, "the connection ended");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(ended.length, 4);
  } finally {
    client.close();
    await running.close();
  }
});

test("an onSessionEnded hook that throws is logged and the session still ends", async () => {
  const errors: string[] = [];
  const running = await startServer({
    logger: { warn: () => {}, error: (message) => void errors.push(message) },
    onRequest: testRequestHandler,
    onSessionEnded: () => {
      throw new Error("cleanup failed");
    },
  });
  const client = await RawClient.handshake(running.url);
  try {
    await rawLogin(client, "ada");
    assert.deepEqual(await ask(client, "logout"), ["session-closed", "reply"]);
    assert.deepEqual(await ask(client, "whoami"), ["reply"]);
    assert.deepEqual(errors, ["onSessionEnded hook failed"]);
  } finally {
    client.close();
    await running.close();
  }
});
