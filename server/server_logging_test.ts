// What the server writes to its logger when peers misbehave or leave: bounded, and nothing for
// a handler that failed only because its own connection went away.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";
import type { ProtocolViolation } from "./options.ts";

const id = requestIdFromNumber;

test("a peer's protocol violations reach the log at a bounded rate, and the hook in full", async () => {
  const { logger, warnings } = recordingLogger();
  const violations: ProtocolViolation[] = [];
  const running = await startServer({
    logger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onRequest: (request) => request.payload,
  });
  try {
    const hostile = await RawClient.handshake(running.url);
    // A reply from a client: ignored (as by the reference), reported each time.
    const reply = new Uint8Array([191, 1, 0, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 100; i++) hostile.send(reply);
    // Many connections, one malformed message each.
    const many = await Promise.all(
      Array.from({ length: 20 }, () => RawClient.handshake(running.url)),
    );
    for (const client of many) client.send(new Uint8Array([6]));
    await Promise.all(many.map((client) => client.closed));
    await until(() => violations.length === 120, "every violation reached the hook");
    assert.equal(violations.filter((v) => v.kind === "unexpected-message").length, 100);
    assert.equal(warnings.length, 10, "10 warnings in the window");
    hostile.send(encodeRequest({ id: id(1), name: "still-served" }));
    assert.equal((await hostile.next()).kind, "reply");
    hostile.close();
  } finally {
    await running.close();
  }
  assert.equal(warnings.length, 11, "shutdown says how many were left out");
  assert.match(warnings[10], /^110 more protocol violations not logged/);
});

test("a handler failing only because its connection left is not logged; other failures are", async () => {
  const { logger, errors } = recordingLogger();
  let other: Connection | undefined;
  const running = await startServer({
    logger,
    onClientConnected: (connection) => void (other ??= connection),
    onRequest: async (request) => {
      const connection = request.connection;
      if (request.name === "other") {
        // Another connection that has ended: a real problem of this request's handler.
        await until(() => !other!.isActive, "the other connection closed");
        other!.signal("late");
      }
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
      switch (request.name) {
        case "signal":
          return void connection.signal("late");
        case "session":
          return void await connection.createSession();
        case "aborted":
          return void request.signal.throwIfAborted();
        case "bug":
          throw new Error("a bug that happens to show after the close");
      }
    },
    onSignal: async (signal) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      signal.connection.subscribe("late-topic");
    },
  });
  try {
    const first = await RawClient.handshake(running.url);
    const second = await RawClient.handshake(running.url);
    second.send(encodeRequest({ id: id(9), name: "other" }));
    first.close();
    await first.closed;
    await until(() => errors.length === 1, "the failure about the other connection logged");
    assert.match(errors[0].message, /request handler failed \(request "other"\)/);

    const leaving = await RawClient.handshake(running.url);
    const names = ["signal", "session", "aborted", "bug"];
    names.forEach((name, i) => leaving.send(encodeRequest({ id: id(i + 1), name })));
    leaving.send(encodeSignal({ name: "subscribe-later" }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    leaving.close();
    await leaving.closed;
    await until(() => errors.length === 2, "the bug logged");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(errors.map((e) => e.message), [
      'request handler failed (request "other")',
      'request handler failed (request "bug")',
    ]);
    second.close();
  } finally {
    await running.close();
  }
});

test("requests to a server without onRequest get internal errors, logged at the 1st, 10th, ...", async () => {
  const { logger, errors } = recordingLogger();
  // A server for signals only: any client can still send it requests.
  const running = await startServer({ logger, onSignal: () => {} });
  try {
    const client = await RawClient.handshake(running.url);
    for (let i = 1; i <= 1000; i++) client.send(encodeRequest({ id: id(i), name: "ask" }));
    for (let i = 1; i <= 1000; i++) {
      const reply = await client.next();
      assert.equal(reply.kind, "internal-error-reply");
    }
    assert.deepEqual(
      errors.map((error) => error.message.match(/\((\d+) so far\)/)?.[1]),
      ["1", "10", "100", "1000"],
    );
    client.close();
  } finally {
    await running.close();
  }
});
