import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Client } from "../client/client.ts";
import type { ServerSignal } from "../client/events.ts";
import { memorySessionStorage } from "../client/session_storage.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { adaptersOfThisRuntime, type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { Connection } from "./connection.ts";
import type { OfflineDropReason } from "./offline_signals.ts";

const adapters = adaptersOfThisRuntime;
let nextId = 1;

/** A service with `login` (creates a session for the user in the payload) and `join`. */
function service(options: StartOptions = {}): StartOptions {
  return {
    logger: silentLogger,
    onRequest: async (request) => {
      if (request.name === "login") {
        await request.connection.createSession({ user: request.payload.text() });
        return "ok";
      }
      if (request.name === "join") request.connection.subscribe(request.payload.text());
      return "";
    },
    ...options,
  };
}

async function nextSignalText(client: RawClient): Promise<string> {
  const message = await client.next();
  assert.ok(message.kind === "signal", `expected a signal, got ${message.kind}`);
  return `${message.nameText}:${new TextDecoder().decode(message.payload)}`;
}

for (const adapter of adapters) {
  test(`signalSession reaches every connection of the session and no other (${adapter} adapter)`, async () => {
    const running = await startServer(service({ adapter }));
    const [a1, a2, b, none] = await Promise.all(
      Array.from({ length: 4 }, () => RawClient.handshake(running.url)),
    );
    try {
      const ada = await rawLogin(a1, "ada");
      assert.equal(await rawRestore(a2, ada.key), "reply");
      await rawLogin(b, "bob");
      assert.equal(running.server.signalSession(ada.key, "mail", "for ada"), 2);
      assert.equal(await nextSignalText(a1), "mail:for ada");
      assert.equal(await nextSignalText(a2), "mail:for ada");
      assert.ok(await b.silentFor(50), "another session's connection gets nothing");
      assert.ok(await none.silentFor(1), "a connection without a session gets nothing");
    } finally {
      for (const client of [a1, a2, b, none]) client.close();
      await running.close();
    }
  });

  test(`onClientDisconnected still sees the session and topics of the connection (${adapter} adapter)`, async () => {
    const seen: { user: unknown; key: string | undefined; topics: readonly string[] }[] = [];
    const running = await startServer(service({
      adapter,
      onClientDisconnected: (connection: Connection) => {
        seen.push({
          user: connection.session?.info?.user,
          key: connection.session?.key,
          topics: connection.topics,
        });
      },
    }));
    const client = await RawClient.handshake(running.url);
    const session = await rawLogin(client, "ada");
    client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name: "join", payload: "r1" }));
    await client.next();
    client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name: "join", payload: "r2" }));
    await client.next();
    client.close();
    try {
      await until(() => seen.length === 1, "the disconnect hook ran");
      assert.deepEqual(seen[0], { user: "ada", key: session.key, topics: ["r1", "r2"] });
      assert.equal(running.server.publish("r1", "x", "y"), 0, "the subscriptions are gone");
      assert.equal(running.server.sessionConnections(session.key).length, 0);
    } finally {
      await running.close();
    }
  });
}

test("signals to an offline session are replayed in order after our client restores it", async () => {
  let restored = false;
  const running = await startServer(service({
    onClientDisconnected: (connection) => {
      const key = connection.session?.key;
      // The connection has left its session: these are kept for the next restore.
      if (key !== undefined && !restored) {
        restored = true;
        for (let i = 1; i <= 5; i++) {
          assert.equal(running.server.signalSession(key, "n", String(i)), 0);
        }
      }
    },
  }));
  const signals: string[] = [];
  const client = new Client(running.url, {
    logger: silentLogger,
    sessionStorage: memorySessionStorage(),
    reconnect: { initialDelay: 20, maxDelay: 50 },
    onSignal: (signal: ServerSignal) => void signals.push(signal.payload.text()),
  });
  try {
    await client.connect();
    await client.request("login", "ada");
    await until(() => client.session !== null, "logged in");
    const key = client.session!.key;
    // The server drops the connection; the client reconnects and restores by itself.
    for (const connection of running.server.sessionConnections(key)) await connection.close();
    await until(() => signals.length === 5, "the kept signals were replayed", 5000);
    assert.deepEqual(signals, ["1", "2", "3", "4", "5"]);
    assert.equal(client.session?.key, key);
    assert.equal(running.server.signalSession(key, "n", "6"), 1, "held again: sent at once");
    await until(() => signals.length === 6, "the live signal arrived");
  } finally {
    await client.close();
    await running.close();
  }
});

test("offline signals are bounded by count, bytes and age, and drops are counted", async () => {
  const drops: OfflineDropReason[] = [];
  const running = await startServer(service({
    offlineSignals: { maxCount: 3, maxBytes: 200, maxAge: 300 },
    onOfflineSignalDropped: (_key, reason) => void drops.push(reason),
  }));
  const first = await RawClient.handshake(running.url);
  const session = await rawLogin(first, "ada");
  first.close();
  await until(() => running.server.sessionConnections(session.key).length === 0, "left");
  try {
    for (let i = 1; i <= 5; i++) running.server.signalSession(session.key, "n", String(i));
    assert.deepEqual(drops, ["count", "count"]);
    // 195 bytes: one more by count (n:3), then the oldest by bytes (n:4) to stay under 200.
    running.server.signalSession(session.key, "big", "x".repeat(190));
    assert.deepEqual(drops, ["count", "count", "count", "bytes"]);
    assert.equal(running.server.signalSession(session.key, "huge", "x".repeat(300)), 0);
    assert.equal(drops.at(-1), "bytes", "a signal larger than the bound is dropped itself");
    assert.equal(running.server.droppedOfflineSignals, 5);

    const second = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(second, session.key), "reply");
    assert.equal(await nextSignalText(second), "n:5");
    assert.equal(await nextSignalText(second), `big:${"x".repeat(190)}`);
    assert.ok(await second.silentFor(50));
    second.close();
    await until(() => running.server.sessionConnections(session.key).length === 0, "left");

    running.server.signalSession(session.key, "late", "too old by the restore");
    await new Promise((resolve) => setTimeout(resolve, 400));
    const third = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(third, session.key), "reply");
    assert.ok(await third.silentFor(50), "a signal older than maxAge is not replayed");
    assert.equal(drops.at(-1), "age");
    third.close();
  } finally {
    await running.close();
  }
});

test("nothing is replayed to a session that was closed, or that a restore finds missing", async () => {
  const running = await startServer(service());
  const first = await RawClient.handshake(running.url);
  const session = await rawLogin(first, "ada");
  first.close();
  await until(() => running.server.sessionConnections(session.key).length === 0, "left");
  try {
    running.server.signalSession(session.key, "n", "kept");
    assert.equal(await running.server.closeSession(session.key), 0);
    const second = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(second, session.key), "session-not-found-reply");
    assert.ok(await second.silentFor(50));

    running.server.signalSession("no-such-session", "n", "kept");
    assert.equal(await rawRestore(second, "no-such-session"), "session-not-found-reply");
    // Had it been kept, a session created under that key later would get it: it is gone.
    assert.ok(await second.silentFor(50));
    second.close();
  } finally {
    await running.close();
  }
});

for (const fails of [false, true]) {
  const outcome = fails ? "fails: they are kept for it" : "is done: they are forgotten too";
  test(`signals kept before and sent while a close of the session runs: when the close ${outcome}`, async () => {
    const manager = new GatedManager(new MemorySessionManager());
    const dropped: string[] = [];
    const running = await startServer(service({
      sessionManager: manager,
      // Kept ones age out (and are counted) after 100 ms; forgotten ones are not counted.
      offlineSignals: { maxAge: 100 },
      onOfflineSignalDropped: (key, reason) => void dropped.push(`${key}:${reason}`),
    }));
    const first = await RawClient.handshake(running.url);
    const session = await rawLogin(first, "ada");
    first.close();
    await until(() => running.server.sessionConnections(session.key).length === 0, "left");
    try {
      assert.equal(running.server.signalSession(session.key, "n", "before"), 0);
      manager.holdForgetOf = session.key;
      manager.failHeldForget = fails;
      const closing = running.server.closeSession(session.key);
      await manager.forgetStarted.opened; // the store takes its time to forget it
      assert.equal(running.server.signalSession(session.key, "n", "meanwhile"), 0);
      manager.forgetGate.open();
      if (fails) {
        await assert.rejects(closing, /could not forget/);
        // The session is still stored: a restore gets what was kept, before and meanwhile.
        const second = await RawClient.handshake(running.url);
        assert.equal(await rawRestore(second, session.key), "reply");
        assert.equal(await nextSignalText(second), "n:before");
        assert.equal(await nextSignalText(second), "n:meanwhile");
        second.close();
      } else {
        assert.equal(await closing, 0);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(dropped, [], "not kept to age out for a key that cannot come back");
      }
    } finally {
      await running.close();
    }
  });
}

test("offlineSignals: false keeps nothing", async () => {
  const running = await startServer(service({ offlineSignals: false }));
  const first = await RawClient.handshake(running.url);
  const session = await rawLogin(first, "ada");
  first.close();
  await until(() => running.server.sessionConnections(session.key).length === 0, "left");
  try {
    assert.equal(running.server.signalSession(session.key, "n", "dropped"), 0);
    const second = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(second, session.key), "reply");
    assert.ok(await second.silentFor(50));
    second.close();
  } finally {
    await running.close();
  }
});
