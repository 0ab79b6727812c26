import { test } from "node:test";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import assert from "node:assert/strict";
import { encodeHeartbeat, encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";
import type { ProtocolViolation } from "./options.ts";

const id = requestIdFromNumber;

/** A server that records violations and disconnects, and echoes requests after `delay` ms. */
async function observedServer(options: StartOptions = {}, delay = 0) {
  const violations: ProtocolViolation[] = [];
  const disconnects: DisconnectReason[] = [];
  const running = await startServer({
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    onRequest: async (request) => {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return request.payload;
    },
    ...options,
  });
  return { running, violations, disconnects };
}

/** Checks that a bystander connection still gets its replies. */
async function bystanderStillServed(url: string, bystander: RawClient): Promise<void> {
  bystander.send(encodeRequest({ id: id(77), name: "still-there" }));
  const reply = await bystander.next();
  assert.ok(reply.kind === "reply", `bystander on ${url} still served`);
}

const malformed: [string, Uint8Array, string][] = [
  ["unknown type", new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, 0]), "unknown-type"],
  ["short request", new Uint8Array([128, 1, 0, 0, 0]), "too-short"],
  ["name overflow", new Uint8Array([64, 9, 0x61]), "name-overflow"],
  ["odd UTF-16", new Uint8Array([129, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x61]), "utf16-unaligned"],
  ["long heartbeat", new Uint8Array([33, 0]), "bad-length"],
  ["empty frame", new Uint8Array(0), "empty"],
];

for (const [label, bytes, reason] of malformed) {
  test(`a malformed message (${label}) closes with 1002 and is reported`, async () => {
    const { running, violations, disconnects } = await observedServer();
    try {
      const bystander = await RawClient.handshake(running.url);
      const client = await RawClient.handshake(running.url);
      client.send(bytes);
      const closed = await client.closed;
      assert.equal(closed.code, 1002);
      assert.ok(closed.reason.startsWith(reason), closed.reason);
      await until(() => disconnects.length === 1, "disconnect reported");
      assert.equal(disconnects[0].kind, "protocol-violation");
      assert.equal(violations[0].kind, "malformed");
      await bystanderStillServed(running.url, bystander);
      bystander.close();
    } finally {
      await running.close();
    }
  });
}

test("a text frame closes with 1003", async () => {
  const { running, violations, disconnects } = await observedServer();
  try {
    const client = await RawClient.handshake(running.url);
    client.send("hello?");
    assert.equal((await client.closed).code, 1003);
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.equal(violations[0].kind, "text-frame");
    assert.equal(disconnects[0].kind, "protocol-violation");
  } finally {
    await running.close();
  }
});

test("a message over the buffer size closes with 1009; one at the limit is served", async () => {
  const { running, disconnects } = await observedServer({ messageBufferSize: 1024 });
  try {
    const client = await RawClient.handshake(running.url);
    const fits = new Uint8Array(1024 - 11);
    client.send(encodeRequest({ id: id(1), name: "a", payload: fits }));
    const reply = await client.next();
    assert.ok(reply.kind === "reply" && reply.payload.length === fits.length);
    client.send(encodeRequest({ id: id(2), name: "a", payload: new Uint8Array(1024 - 10) }));
    assert.equal((await client.closed).code, 1009);
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.equal(disconnects[0].kind, "message-too-big");
  } finally {
    await running.close();
  }
});

test("a request id reused while pending closes with 1002", async () => {
  const { running, violations } = await observedServer({}, 200);
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(9), name: "slow" }));
    client.send(encodeRequest({ id: id(9), name: "again" }));
    assert.equal((await client.closed).code, 1002);
    assert.equal(violations[0].kind, "duplicate-request-id");
  } finally {
    await running.close();
  }
});

/** Ids spread over the whole 64-bit space: small ones, ones sharing their low 32 bits, above 2^53. */
function spreadIds(): Uint8Array[] {
  const ids: Uint8Array[] = [];
  for (let n = 0; n < 150; n++) ids.push(id(n));
  for (let high = 1; high <= 40; high++) ids.push(id(high * 2 ** 32 + 5));
  for (let n = 0; n < 10; n++) {
    const big = new Uint8Array(8).fill(0xff);
    big[7] = n; // far above 2^53: kept by the server under another kind of key
    ids.push(big);
  }
  return ids;
}

test("200 pending ids of every range get their own replies; reusing any of them closes with 1002", async () => {
  const ids = spreadIds();
  for (const reused of [ids[75], ids[170], ids[195]]) {
    const { running, violations } = await observedServer({}, 300);
    try {
      const client = await RawClient.handshake(running.url);
      for (const request of ids) client.send(encodeRequest({ id: request, name: "slow" }));
      client.send(encodeRequest({ id: reused, name: "again" }));
      assert.equal((await client.closed).code, 1002);
      assert.deepEqual(violations.map((v) => v.kind), ["duplicate-request-id"]);
    } finally {
      await running.close();
    }
  }
  const { running, violations } = await observedServer({}, 50);
  try {
    const client = await RawClient.handshake(running.url);
    const expected = new Set(ids.map((request) => request.join()));
    for (const request of ids) client.send(encodeRequest({ id: request, name: "slow" }));
    const answered = new Set<string>();
    while (answered.size < ids.length) {
      const reply = await client.next();
      assert.equal(reply.kind, "reply");
      if (reply.kind === "reply") answered.add(reply.id.join());
    }
    assert.deepEqual(answered, expected);
    // Every id is free again once answered: the same 200 are accepted a second time.
    for (const request of ids) client.send(encodeRequest({ id: request, name: "again" }));
    for (let n = 0; n < ids.length; n++) assert.equal((await client.next()).kind, "reply");
    assert.deepEqual(violations, []);
    client.close();
  } finally {
    await running.close();
  }
});

test("a request id may be reused once its reply was sent", async () => {
  const { running } = await observedServer();
  try {
    const client = await RawClient.handshake(running.url);
    for (let round = 0; round < 3; round++) {
      client.send(encodeRequest({ id: id(1), name: "same" }));
      assert.equal((await client.next()).kind, "reply");
    }
    client.close();
  } finally {
    await running.close();
  }
});

test("a flood beyond maxPendingMessages closes with 1008, others are unaffected", async () => {
  const { running, violations, disconnects } = await observedServer({
    maxPendingMessages: 16,
  }, 300);
  try {
    const bystander = await RawClient.handshake(running.url);
    const client = await RawClient.handshake(running.url);
    for (let i = 1; i <= 17; i++) client.send(encodeRequest({ id: id(i), name: "flood" }));
    assert.equal((await client.closed).code, 1008);
    assert.equal(violations[0].kind, "flood");
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.equal(disconnects[0].kind, "flood");
    await bystanderStillServed(running.url, bystander);
    bystander.close();
  } finally {
    await running.close();
  }
});

test("a silent connection is closed at most 1 s after its read timeout, whenever its last frame came", async () => {
  // 4.5 s, not a whole number of seconds, where the checks' interval is capped: eight
  // connections send their last frame 125 ms apart, so that one comes just after a check.
  const readTimeout = 4500;
  const { running } = await observedServer({ readTimeout });
  try {
    const clients = await Promise.all(
      Array.from({ length: 8 }, () => RawClient.handshake(running.url)),
    );
    const lateness = LoopLateness.start();
    const lastFrames: number[] = [];
    for (const [index, client] of clients.entries()) {
      await new Promise((resolve) => setTimeout(resolve, index === 0 ? 0 : 125));
      client.send(encodeHeartbeat());
      lastFrames[index] = Date.now();
    }
    const closedAt = await Promise.all(clients.map((c) => c.closed.then(() => Date.now())));
    const late = lateness.stop();
    for (const [index, at] of closedAt.entries()) {
      const silentFor = at - lastFrames[index];
      assert.ok(
        silentFor >= readTimeout - 20 && silentFor <= readTimeout + 1000 + 60 + late,
        `connection ${index} closed ${silentFor} ms after its last frame (loop ${late} ms late)`,
      );
    }
  } finally {
    await running.close();
  }
});

test("a silent connection is closed after the read timeout; heartbeats keep one open", async () => {
  const { running, disconnects } = await observedServer({ readTimeout: 1000 });
  try {
    const silent = await RawClient.handshake(running.url);
    const beating = await RawClient.handshake(running.url);
    const lateness = LoopLateness.start();
    const started = Date.now();
    // Well within the read timeout, so that a late tick on a busy machine still comes in time.
    const timer = setInterval(() => beating.send(encodeHeartbeat()), 100);
    try {
      const closed = await silent.closed;
      const elapsed = Date.now() - started;
      const late = lateness.stop();
      assert.equal(closed.code, 4000);
      assert.ok(
        elapsed >= 950 && elapsed < 2500 + late,
        `closed after ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      beating.send(encodeRequest({ id: id(3), name: "alive" }));
      assert.equal((await beating.next()).kind, "reply", "heartbeats kept it open");
    } finally {
      clearInterval(timer);
    }
    assert.equal(disconnects.filter((d) => d.kind === "read-timeout").length, 1);
    beating.close();
  } finally {
    await running.close();
  }
});

test("a read timeout under one second or of a fraction of a millisecond is refused", async () => {
  await assert.rejects(async () => await startServer({ readTimeout: 999 }), RangeError);
  await assert.rejects(async () => await startServer({ readTimeout: 1500.5 }), RangeError);
});

test("a subProtocol that is no string is a TypeError that says so", async () => {
  await assert.rejects(
    async () => await startServer({ subProtocol: 123 as unknown as string }),
    { name: "TypeError", message: "subProtocol must be a string, got number" },
  );
});
