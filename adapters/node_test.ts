// Tests of the Node adapter over real sockets, with `ws`'s WebSocket as the client (Node 20 has
// no global WebSocket). Runs under Deno and Bun directly, and under Node after
// scripts/extra_suites.mjs has bundled it with esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket } from "ws";
import { Buffer } from "node:buffer";
import {
  encodeRequest,
  encodeSignal,
  Payload,
  RequestError,
  requestIdFromNumber,
  requestIdKey,
} from "../protocol/mod.ts";
import type { Connection } from "../server/connection.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ServerOptions } from "../server/options.ts";
import type { Server } from "../server/server.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { RawClient, type RawClientOptions } from "../testing/raw_client.ts";
import { recordingServer } from "../testing/recording_server.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { tcpEnd, tcpStateSupported } from "../testing/tcp_state.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, Opcode } from "../testing/ws_frame.ts";
import { type RunningServer, serveNode } from "./node.ts";

const id = requestIdFromNumber;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface Started {
  server: Server;
  running: RunningServer;
  disconnects: DisconnectReason[];
}

async function start(options: ServerOptions = {}): Promise<Started> {
  const { server, disconnects } = recordingServer(options);
  const running = await serveNode(server, { port: 0, hostname: "127.0.0.1" });
  return { server, running, disconnects };
}

// `ws`'s WebSocket has the standard handlers and `binaryType` that RawClient uses.
const viaWs: RawClientOptions = { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket };

/** Attempts an upgrade and returns the HTTP status and body of the refusal. */
function refusal(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => body += chunk);
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
        socket.terminate();
      });
    });
    socket.on("open", () => reject(new Error("the upgrade was accepted")));
    socket.on("error", () => {});
  });
}

test("node: accept-conf, echo in each encoding, the peer's address, a client close", async () => {
  let connected: Connection | undefined;
  const { running, disconnects } = await start({
    readTimeout: 9000,
    messageBufferSize: 5000,
    onClientConnected: (connection) => void (connected = connection),
    onRequest: (request) => request.payload,
  });
  try {
    const socket = await RawClient.connect(running.url, viaWs);
    const conf = await socket.next();
    assert.ok(conf.kind === "accept-conf");
    assert.deepEqual([conf.major, conf.readTimeoutMs, conf.messageBufferSize], [2, 9000, 5000]);
    socket.close();

    const echo = await RawClient.handshake(running.url, viaWs);
    const cases = [
      { encoding: "binary", payload: new Uint8Array([0, 1, 254, 255]), type: 191 },
      { encoding: "utf8", payload: "grüß", type: 192 },
      { encoding: "utf16", payload: "é€", type: 193 },
    ] as const;
    let n = 0;
    for (const { encoding, payload, type } of cases) {
      echo.send(encodeRequest({ id: id(++n), name: "echo", payload, encoding }));
      const reply = await echo.next();
      assert.ok(reply.kind === "reply", encoding);
      assert.equal(reply.type, type);
      assert.equal(requestIdKey(reply.id), n);
      if (typeof payload === "string") {
        assert.equal(new Payload(reply.payload, encoding).text(), payload);
      } else assert.deepEqual([...reply.payload], [...payload]);
    }
    assert.match(connected?.remoteAddress ?? "", /^127\.0\.0\.1:\d+$/);
    echo.close(4321);
    assert.equal((await echo.closed).code, 4321);
    await until(() => disconnects.length === 2, "disconnects reported");
    assert.deepEqual(disconnects[1], { kind: "client-closed", code: 4321, message: "" });
  } finally {
    await running.close();
  }
});

test("node: an error reply, an internal error, and signals both ways", async () => {
  const signals: string[] = [];
  const { running } = await start({
    onRequest: (request) => {
      if (request.name === "fail") throw new RequestError("E_TEST", "it failed");
      throw new Error("hidden");
    },
    onSignal: (signal) => {
      signals.push(`${signal.name}:${signal.payload.text()}`);
      signal.connection.signal("pong", new Uint8Array([7]));
    },
  });
  try {
    const client = await RawClient.handshake(running.url, viaWs);
    client.send(encodeRequest({ id: id(5), name: "fail", payload: "x" }));
    const error = await client.next();
    assert.ok(error.kind === "error-reply");
    assert.equal(requestIdKey(error.id), 5);
    assert.equal(error.codeText, "E_TEST");
    assert.equal(error.messageText, "it failed");

    client.send(encodeRequest({ id: id(6), name: "other" }));
    assert.equal((await client.next()).kind, "internal-error-reply");

    client.send(encodeSignal({ name: "ping", payload: "hi" }));
    const pong = await client.next();
    assert.ok(pong.kind === "signal");
    assert.equal(pong.nameText, "pong");
    assert.deepEqual([...pong.payload], [7]);
    assert.deepEqual(signals, ["ping:hi"]);
    client.close();
    await client.closed;
  } finally {
    await running.close();
  }
});

test("node: a beforeUpgrade refusal reaches the client; plain requests get the core's answer", async () => {
  let info: Record<string, unknown> | undefined;
  const { running, server } = await start({
    beforeUpgrade: (request) => {
      if (request.headers.get("authorization") !== null) return { info: { user: "ada" } };
      return new Response("log in first\n", {
        status: 401,
        headers: { "www-authenticate": "Bearer" },
      });
    },
    onClientConnected: (connection) => void (info = connection.info),
  });
  try {
    const refused = await refusal(`${running.url}some/path?x=1`);
    assert.deepEqual(refused, { status: 401, body: "log in first\n" });
    assert.equal(server.connectionCount, 0);

    const socket = new WebSocket(running.url, { headers: { authorization: "Bearer t" } });
    await new Promise((resolve, reject) => {
      socket.once("message", resolve);
      socket.once("error", reject);
    });
    assert.deepEqual(info, { user: "ada" });
    socket.close();

    const http = running.url.replace("ws:", "http:");
    const plain = await fetch(http);
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.get("upgrade"), "websocket");
    await plain.body?.cancel();
    const options = await fetch(http, { method: "OPTIONS" });
    assert.equal(options.status, 204);
  } finally {
    await running.close();
  }
});

test("node: oversized messages close with 1009, text frames with 1003", async () => {
  const { running, disconnects } = await start({
    messageBufferSize: 1024,
    onRequest: (request) => request.payload,
  });
  try {
    const big = await RawClient.handshake(running.url, viaWs);
    big.send(encodeRequest({ id: id(1), name: "a", payload: new Uint8Array(1024 - 11) }));
    const fits = await big.next();
    assert.ok(fits.kind === "reply" && fits.payload.length === 1024 - 11);
    big.send(encodeRequest({ id: id(2), name: "a", payload: new Uint8Array(1024 - 10) }));
    const closed = await big.closed;
    assert.equal(closed.code, 1009);
    // Bun replaces `ws` with its own, which ignores the adapter's WebSocket class: no reason.
    if (!("Bun" in globalThis)) {
      assert.equal(closed.reason, "message over the buffer size of 1024 bytes");
    }
    await until(() => disconnects.length === 1, "oversized disconnect reported");
    assert.equal(disconnects[0].kind, "message-too-big");

    const texting = await RawClient.handshake(running.url, viaWs);
    texting.send("hello");
    assert.equal((await texting.closed).code, 1003);
    await until(() => disconnects.length === 2, "text-frame disconnect reported");
    assert.equal(disconnects[1].kind, "protocol-violation");
  } finally {
    await running.close();
  }
});

test("node: graceful shutdown finishes running handlers, refuses upgrades, closes with 1001", async () => {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  let started = false;
  const { running, server, disconnects } = await start({
    onRequest: async (request) => {
      started = true;
      await released;
      return `done ${request.payload.text()}`;
    },
  });
  let closing: Promise<void> | undefined;
  try {
    const client = await RawClient.handshake(running.url, viaWs);
    client.send(encodeRequest({ id: id(3), name: "slow", payload: "work" }));
    await until(() => started, "handler started");
    closing = running.close();
    assert.ok(server.isShuttingDown);
    assert.equal((await refusal(running.url)).status, 503);
    release();
    const reply = await client.next();
    assert.ok(reply.kind === "reply");
    assert.equal(requestIdKey(reply.id), 3);
    assert.equal(text(reply.payload), "done work");
    assert.equal((await client.closed).code, 1001);
    await closing;
    assert.deepEqual(disconnects.map((reason) => reason.kind), ["shutdown"]);
  } finally {
    release();
    await (closing ?? running.close());
  }
});

test("node: requests read with a malformed frame in one TCP read are all answered before 1002", async () => {
  const { running, disconnects } = await start({
    onRequest: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return request.payload;
    },
  });
  try {
    const client = await TcpClient.connect(running.url);
    await client.next();
    const frames = Array.from(
      { length: 10 },
      (_, i) => maskedFrame(encodeRequest({ id: id(i + 1), name: "echo", payload: `${i}` })),
    );
    frames.push(maskedFrame(new Uint8Array([6, 0, 0])));
    client.write(Buffer.concat(frames));
    const close = await client.closeFrame();
    assert.ok(close !== null, "a close frame");
    const replied = close.before
      .filter((frame) => frame.opcode === Opcode.Binary)
      .map((frame) => decodeMessage(frame.payload))
      .map((message) => message.kind === "reply" ? requestIdKey(message.id) : -1);
    assert.deepEqual(replied, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(close.code, 1002);
    client.destroy();
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.equal(disconnects[0].kind, "protocol-violation");
  } finally {
    await running.close();
  }
});

test("node: a client that never reads loses its socket within closeTimeout", {
  skip: !tcpStateSupported() && "needs Linux's /proc/net/tcp",
}, async () => {
  const { running, disconnects } = await start({
    closeTimeout: 500,
    onRequest: async (request) => {
      const chunk = new Uint8Array(64 * 1024);
      for (let i = 0; i < 256 && request.connection.isActive; i++) {
        request.connection.signal("chunk", chunk);
        if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return "done";
    },
  });
  try {
    // One client closed with nothing queued, one with more queued than the kernel takes.
    const quiet = await TcpClient.connect(running.url);
    const full = await TcpClient.connect(running.url);
    await Promise.all([quiet.next(), full.next()]);
    quiet.stopReading();
    full.stopReading();
    quiet.write(maskedFrame(new Uint8Array([6])));
    full.write(maskedFrame(encodeRequest({ id: id(1), name: "push" })));
    await until(() => disconnects.length === 2, "both disconnects reported");
    const held = () =>
      [quiet, full].filter((client) => tcpEnd(client.remotePort, client.localPort)?.held);
    await until(() => held().length === 0, "the server let go of both sockets", 2500);
    assert.deepEqual(disconnects.map((reason) => reason.kind).sort(), [
      "protocol-violation",
      "slow-reader",
    ]);
    quiet.destroy();
    full.destroy();
  } finally {
    await running.close();
  }
});
