import { test } from "node:test";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import assert from "node:assert/strict";
import { encodeRequest, encodeSignal, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

const id = requestIdFromNumber;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("shutdown lets running requests finish, refuses new ones, then closes with 1001", async () => {
  const signals: string[] = [];
  const disconnects: DisconnectReason[] = [];
  let started = 0;
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      started++;
      await sleep(Number(request.payload.text()));
      return request.payload;
    },
    onSignal: (signal) => void signals.push(signal.name),
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
  });
  const httpUrl = running.url.replace("ws://", "http://");
  const client = await RawClient.handshake(running.url);
  for (let i = 1; i <= 5; i++) {
    client.send(encodeRequest({ id: id(i), name: "sleep", payload: String(100 + i * 20) }));
  }
  while (started < 5) await sleep(5);

  const shutdown = running.server.shutdown();
  assert.ok(running.server.isShuttingDown);
  client.send(encodeRequest({ id: id(6), name: "late", payload: "0" }));
  client.send(encodeSignal({ name: "late-signal" }));
  const refused = await fetch(httpUrl, {
    headers: { upgrade: "websocket", connection: "upgrade" },
  });
  await refused.body?.cancel();
  assert.equal(refused.status, 503);

  const answered = new Map<number, string>();
  for (let i = 0; i < 6; i++) {
    const message = await client.next();
    assert.ok(message.kind === "reply" || message.kind === "shutdown-reply", message.kind);
    answered.set(requestIdKey(message.id), message.kind);
  }
  assert.equal(answered.get(6), "shutdown-reply", "the late request gets the shutdown reply");
  for (let i = 1; i <= 5; i++) assert.equal(answered.get(i), "reply", `request ${i} not lost`);
  assert.equal((await client.closed).code, 1001);
  await shutdown;
  assert.deepEqual(signals, [], "signals during shutdown are dropped");
  assert.equal(disconnects[0].kind, "shutdown");
  assert.equal(running.server.connectionCount, 0);
  await running.close();
});

test("connection.close waits for its handlers and leaves other connections alone", async () => {
  let target: Connection | undefined;
  let started = false;
  const held = Promise.withResolvers<void>(); // the "hold" request runs until the test opens it
  const running = await startServer({
    onClientConnected: (connection) => {
      if (connection.info.target) target = connection;
    },
    beforeUpgrade: (request) => ({ info: { target: request.url.includes("target") } }),
    onRequest: async (request) => {
      if (request.name === "hold") {
        started = true;
        await held.promise;
      }
      return request.payload;
    },
  });
  try {
    const other = await RawClient.handshake(running.url);
    const client = await RawClient.handshake(`${running.url}?target`);
    client.send(encodeRequest({ id: id(1), name: "hold", payload: "1" }));
    await until(() => started, "the handler runs");
    const closing = target!.close();
    assert.equal(target!.isActive, false, "inactive as soon as it is closing");
    client.send(encodeRequest({ id: id(2), name: "late", payload: "0" }));
    assert.equal((await client.next()).kind, "shutdown-reply");
    held.resolve();
    const second = await client.next();
    assert.ok(second.kind === "reply" && requestIdKey(second.id) === 1);
    await closing;
    assert.equal((await client.closed).code, 1000);
    other.send(encodeRequest({ id: id(3), name: "echo", payload: "0" }));
    assert.equal((await other.next()).kind, "reply");
    other.close();
  } finally {
    held.resolve();
    await running.close();
  }
});

test("a handler still running when its client leaves sees its abort signal", async () => {
  let aborted: Promise<void> | undefined;
  const running = await startServer({
    onRequest: (request) => {
      aborted = new Promise((resolve) => request.signal.addEventListener("abort", () => resolve()));
      return aborted.then(() => "too late");
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(1), name: "wait" }));
    while (aborted === undefined) await sleep(5);
    client.close();
    await aborted;
  } finally {
    await running.close();
  }
});

test("shutdown with a timeout closes connections whose handlers hang", async () => {
  let aborted = false;
  let hanging = false;
  const running = await startServer({
    onRequest: (request) => {
      hanging = true;
      request.signal.addEventListener("abort", () => aborted = true);
      return new Promise<string>(() => {}); // never answers
    },
  });
  const client = await RawClient.handshake(running.url);
  client.send(encodeRequest({ id: id(1), name: "hang" }));
  await until(() => hanging, "the handler runs");
  const lateness = LoopLateness.start();
  const started = Date.now();
  await running.server.shutdown({ timeout: 150 });
  const elapsed = Date.now() - started;
  const late = lateness.stop();
  // Not before the timeout; after it, by as much as this process's event loop was late.
  assert.ok(
    elapsed >= 140 && elapsed < 1000 + late,
    `shutdown took ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
  );
  assert.equal((await client.closed).code, 1001);
  assert.ok(aborted, "the hanging handler saw its abort signal");
  assert.equal(running.server.connectionCount, 0);
  await running.close();
});

test("during shutdown a refused request's id can come again: refused again, never a duplicate", async () => {
  const violations: string[] = [];
  const held = Promise.withResolvers<void>();
  let started = false;
  const running = await startServer({
    onProtocolViolation: (_connection, violation) => void violations.push(violation.kind),
    onRequest: async (request) => {
      started = true;
      await held.promise;
      return request.payload;
    },
  });
  const client = await RawClient.handshake(running.url);
  client.send(encodeRequest({ id: id(1), name: "hold", payload: "kept" }));
  while (!started) await sleep(5);
  const shutdown = running.server.shutdown();
  for (let attempt = 0; attempt < 3; attempt++) {
    client.send(encodeRequest({ id: id(2), name: "retry", payload: "again" }));
    const refused = await client.next();
    assert.equal(refused.kind, "shutdown-reply", `attempt ${attempt}`);
    assert.ok(refused.kind === "shutdown-reply" && requestIdKey(refused.id) === 2);
  }
  held.resolve();
  const reply = await client.next();
  assert.ok(reply.kind === "reply" && requestIdKey(reply.id) === 1);
  assert.equal((await client.closed).code, 1001);
  await shutdown;
  assert.deepEqual(violations, []);
  await running.close();
});
