import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeReply,
  encodeRequest,
  encodeSignal,
  Payload,
  RequestError,
  requestIdFromNumber,
  requestIdKey,
} from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { Connection } from "./connection.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

const id = requestIdFromNumber;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("accept-conf comes first and carries the server's settings", async () => {
  const running = await startServer({ readTimeout: 12_345, messageBufferSize: 4000 });
  try {
    const client = await RawClient.connect(running.url);
    const first = await client.next();
    assert.equal(first.kind, "accept-conf");
    if (first.kind !== "accept-conf") return;
    assert.deepEqual(
      [first.major, first.minor, first.readTimeoutMs, first.messageBufferSize],
      [2, 0, 12_345, 4000],
    );
    assert.equal(first.subProtocolText, "");
    client.close();
  } finally {
    await running.close();
  }
});

test("the default accept-conf is byte for byte the reference's", async () => {
  const running = await startServer();
  try {
    assert.deepEqual(
      [...running.server.acceptConf],
      [0x17, 0x02, 0x00, 0x60, 0xea, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00],
    );
  } finally {
    await running.close();
  }
});

test("replies echo the id, in the encoding the handler chose", async () => {
  const running = await startServer({
    subProtocol: "test-proto",
    onRequest: (request) => {
      switch (request.name) {
        case "string":
          return `got ${request.payload.text()}`;
        case "bytes":
          return new Uint8Array([9, 8, 7]);
        case "nothing":
          return undefined;
        case "utf16":
          return Payload.from("ü!", "utf16");
        default:
          return request.payload;
      }
    },
  });
  try {
    const client = await RawClient.connect(running.url);
    const conf = await client.next();
    assert.ok(conf.kind === "accept-conf" && conf.subProtocolText === "test-proto");
    const cases: [string, string, number, number[]][] = [
      ["string", "x", 192, [...new TextEncoder().encode("got x")]],
      ["bytes", "", 191, [9, 8, 7]],
      ["nothing", "", 191, []],
      ["utf16", "", 193, [0xfc, 0, 0x21, 0]],
    ];
    let n = 100;
    for (const [name, payload, type, expected] of cases) {
      const requestId = id(++n);
      client.send(encodeRequest({ id: requestId, name, payload: payload || undefined }));
      const reply = await client.next();
      assert.equal(reply.kind, "reply", name);
      if (reply.kind !== "reply") return;
      assert.equal(reply.type, type, name);
      assert.deepEqual([...reply.id], [...requestId], name);
      assert.deepEqual([...reply.payload], expected, name);
      if (type === 193) assert.equal(reply.bytes[9], 0, "UTF-16 reply padding byte");
    }
    // Nameless requests in every encoding come back in their own encoding.
    for (const encoding of ["binary", "utf8", "utf16"] as const) {
      const payload = encoding === "binary" ? new Uint8Array([1, 2]) : "é€";
      client.send(encodeRequest({ id: id(++n), payload, encoding }));
      const reply = await client.next();
      assert.ok(reply.kind === "reply");
      assert.equal(reply.encoding, encoding);
      assert.equal(requestIdKey(reply.id), n);
      if (encoding !== "binary") assert.equal(new Payload(reply.payload, encoding).text(), "é€");
    }
    client.close();
  } finally {
    await running.close();
  }
});

test("a RequestError becomes an error reply, anything else an internal error", async () => {
  const logged: unknown[] = [];
  const running = await startServer({
    logger: { warn: () => {}, error: (...args) => void logged.push(args) },
    onRequest: (request) => {
      if (request.name === "error") throw new RequestError("TEST_ERROR", "test error message");
      if (request.name === "odd-utf16") return new Payload(new Uint8Array(3), "utf16");
      throw new Error("secret detail");
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(1), name: "error" }));
    const error = await client.next();
    assert.equal(error.kind, "error-reply");
    if (error.kind !== "error-reply") return;
    assert.equal(error.codeText, "TEST_ERROR");
    assert.equal(error.messageText, "test error message");
    assert.equal(requestIdKey(error.id), 1);

    client.send(encodeRequest({ id: id(2), name: "internal" }));
    const internal = await client.next();
    assert.equal(internal.kind, "internal-error-reply");
    assert.equal(internal.bytes.length, 9);
    assert.ok(!text(internal.bytes).includes("secret"));

    client.send(encodeRequest({ id: id(3), name: "odd-utf16" }));
    assert.equal((await client.next()).kind, "internal-error-reply");
    assert.equal(logged.length, 2);
    client.close();
  } finally {
    await running.close();
  }
});

test("without an onRequest hook every request gets an internal error", async () => {
  const running = await startServer({ logger: silentLogger });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(5), name: "anything" }));
    assert.equal((await client.next()).kind, "internal-error-reply");
    client.close();
  } finally {
    await running.close();
  }
});

test("signals travel both ways with name, payload and encoding", async () => {
  const received: string[] = [];
  const running = await startServer({
    onSignal: (signal) => {
      received.push(`${signal.name}|${signal.payload.encoding}|${signal.payload.text()}`);
      signal.connection.signal(signal.name, signal.payload);
      signal.connection.signal("", new Uint8Array([5]));
      signal.connection.signal("u16", "ok", { encoding: "utf16" });
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeSignal({ name: "ping", payload: "hé", encoding: "utf16" }));
    const echoed = await client.next();
    assert.ok(echoed.kind === "signal");
    assert.equal(echoed.nameText, "ping");
    assert.equal(echoed.encoding, "utf16");
    assert.equal(new Payload(echoed.payload, "utf16").text(), "hé");
    const nameless = await client.next();
    assert.ok(nameless.kind === "signal" && nameless.name.length === 0);
    assert.deepEqual([...nameless.payload], [5]);
    const u16 = await client.next();
    assert.ok(u16.kind === "signal" && u16.type === 65 && u16.bytes[5] === 0, "padded UTF-16");
    assert.deepEqual(received, ["ping|utf16|hé"]);
    client.close();
  } finally {
    await running.close();
  }
});

test("requests run concurrently by default and replies come as they finish", async () => {
  const running = await startServer({
    onRequest: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, Number(request.payload.text())));
      return request.payload;
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: id(1), name: "sleep", payload: "300" }));
    client.send(encodeRequest({ id: id(2), name: "sleep", payload: "10" }));
    const first = await client.next();
    const second = await client.next();
    assert.ok(first.kind === "reply" && second.kind === "reply");
    assert.deepEqual([requestIdKey(first.id), requestIdKey(second.id)], [2, 1]);
    client.close();
  } finally {
    await running.close();
  }
});

test("a concurrency limit set in beforeUpgrade keeps order and bounds parallelism", async () => {
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const server = await startServer({
    beforeUpgrade: (request) => ({
      concurrencyLimit: Number(new URL(request.url).searchParams.get("limit")),
    }),
    onRequest: async (request) => {
      running++;
      peak = Math.max(peak, running);
      order.push(Number(request.payload.text()));
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
      running--;
      return request.payload;
    },
  });
  try {
    for (const limit of [1, 3]) {
      peak = 0;
      order.length = 0;
      const client = await RawClient.handshake(`${server.url}?limit=${limit}`);
      for (let i = 0; i < 12; i++) {
        client.send(encodeRequest({ id: id(i + 1), name: "r", payload: String(i) }));
      }
      const replies: number[] = [];
      for (let i = 0; i < 12; i++) {
        const reply = await client.next();
        assert.ok(reply.kind === "reply");
        replies.push(requestIdKey(reply.id));
      }
      assert.equal(peak, limit, `peak concurrency with limit ${limit}`);
      assert.deepEqual(order, [...Array(12).keys()], "handlers start in arrival order");
      if (limit === 1) assert.deepEqual(replies, [...Array(12).keys()].map((i) => i + 1));
      client.close();
    }
  } finally {
    await server.close();
  }
});

test("hooks: beforeUpgrade refuses or sets info, connect and disconnect are reported", async () => {
  const connected: Connection[] = [];
  const disconnected: DisconnectReason[] = [];
  const running = await startServer({
    beforeUpgrade: (request) => {
      const user = new URL(request.url).searchParams.get("user");
      if (user === null) return new Response("who are you?", { status: 401 });
      return { info: { user } };
    },
    onClientConnected: (connection) => void connected.push(connection),
    onClientDisconnected: (_connection, reason) => void disconnected.push(reason),
    onRequest: (request) => String(request.connection.info.user),
    onOptions: () => new Response(null, { status: 204, headers: { "x-cors": "yes" } }),
  });
  try {
    const httpUrl = running.url.replace("ws://", "http://");
    const refused = await fetch(httpUrl, {
      headers: { upgrade: "websocket", connection: "upgrade" },
    });
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
    const options = await fetch(httpUrl, { method: "OPTIONS" });
    await options.body?.cancel();
    assert.equal(options.headers.get("x-cors"), "yes");
    const plain = await fetch(`${httpUrl}?user=x`);
    await plain.body?.cancel();
    assert.equal(plain.status, 426);
    await assert.rejects(RawClient.connect(running.url));

    const client = await RawClient.handshake(`${running.url}?user=ada`);
    client.send(encodeRequest({ id: id(1), name: "who" }));
    const reply = await client.next();
    assert.ok(reply.kind === "reply" && text(reply.payload) === "ada");
    assert.equal(connected.length, 1);
    assert.deepEqual(connected[0].info, { user: "ada" });
    assert.match(connected[0].remoteAddress, /^127\.0\.0\.1:\d+$/);
    assert.ok(connected[0].isActive);
    client.close(4321);
    await client.closed;
    for (let i = 0; i < 100 && disconnected.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(disconnected.length, 1);
    assert.equal(disconnected[0].kind, "client-closed");
    assert.equal(disconnected[0].code, 4321);
    assert.ok(!connected[0].isActive);
  } finally {
    await running.close();
  }
});

test("a reply-type message from a client is ignored and reported, the connection goes on", async () => {
  const violations: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation.kind),
    onRequest: (request) => request.payload,
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeReply({ id: id(1), payload: "stray" }));
    client.send(encodeRequest({ id: id(2), name: "after" }));
    const reply = await client.next();
    assert.ok(reply.kind === "reply" && requestIdKey(reply.id) === 2);
    assert.deepEqual(violations, ["unexpected-message"]);
    client.close();
  } finally {
    await running.close();
  }
});

test("asynchronous handlers fail the same way as synchronous ones", async () => {
  const logged: string[] = [];
  const running = await startServer({
    logger: { warn: () => {}, error: (message) => void logged.push(message) },
    onRequest: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (request.name === "error") throw new RequestError("LATE", "async failure");
      if (request.name === "internal") throw new Error("hidden");
      return "fine";
    },
    onSignal: (signal) => {
      if (signal.name === "sync-throw") throw new Error("sync signal failure");
      return Promise.reject(new Error("async signal failure"));
    },
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeSignal({ name: "async-throw" }));
    client.send(encodeSignal({ name: "sync-throw" }));
    client.send(encodeRequest({ id: id(1), name: "error" }));
    const error = await client.next();
    assert.ok(error.kind === "error-reply" && error.codeText === "LATE");
    client.send(encodeRequest({ id: id(2), name: "internal" }));
    assert.equal((await client.next()).kind, "internal-error-reply");
    client.send(encodeRequest({ id: id(3), name: "ok" }));
    const reply = await client.next();
    assert.ok(reply.kind === "reply" && text(reply.payload) === "fine");
    assert.equal(logged.filter((line) => line.startsWith("signal handler failed")).length, 2);
    assert.equal(logged.filter((line) => line.startsWith("request handler failed")).length, 1);
    client.close();
  } finally {
    await running.close();
  }
});
