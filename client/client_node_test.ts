// The client with the `ws` package's WebSocket (how it runs on Node 20, which has no global
// WebSocket) against the Node adapter, the order of its events there, a server whose frames
// `ws` refuses after the client has ended the connection, and a server on a Unix domain socket
// (ws+unix:): run under Node by scripts/extra_suites.mjs, and under Deno and Bun like every test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { nodeHandlers, serveNode } from "../adapters/node.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { RequestError } from "../protocol/request_error.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { acceptConf } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";
import { oneWrite } from "../testing/ws_frame.ts";
import { Client } from "./client.ts";
import type { ServerSignal } from "./events.ts";
import { memorySessionStorage } from "./session_storage.ts";

test("the client on ws talks to the Node adapter: requests, signals, a session", async () => {
  const server = new Server({
    ...conformanceService(),
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    readTimeout: 1000,
  });
  const running = await serveNode(server);
  const signals: string[] = [];
  const client = new Client(running.url, {
    WebSocket: NodeWebSocket,
    onSignal: (signal) => void signals.push(`${signal.name}:${signal.payload.text()}`),
  });
  try {
    await client.connect();
    for (const encoding of ["utf8", "utf16"] as const) {
      const reply = await client.request("echo", "ünïcode", { encoding });
      assert.equal(reply.encoding, encoding);
      assert.equal(reply.text(), "ünïcode");
    }
    const binary = await client.request("echo", new Uint8Array([0, 255, 7]));
    assert.deepEqual([...binary.bytes], [0, 255, 7]);
    await assert.rejects(client.request("error"), (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, "TEST_ERROR");
      return true;
    });
    client.signal("echo-signal", "back");
    await client.request("signal-me");
    await client.request("login", "node-user");
    assert.equal((await client.request("whoami")).text(), client.session?.key);
    // Idle past the server's read timeout: heartbeats keep the connection.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    assert.equal(client.status, "connected");
    assert.equal((await client.request("user")).text(), "node-user");
    assert.ok(signals.includes("echo-signal:back"), signals.join());
    assert.ok(signals.includes("srvsig:ping"), signals.join());
  } finally {
    await client.close();
    await running.close();
  }
});

test("on ws: connected comes before the signals the server sends in onClientConnected", async () => {
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    onClientConnected: (connection) => connection.signal("welcome", "hi"),
    onRequest: async ({ name, connection }) => {
      if (name === "login") await connection.createSession({ user: "ada" });
      if (name === "drop") setTimeout(() => void connection.close(), 0); // after the reply
      return "ok";
    },
  });
  const running = await serveNode(server);
  const storage = memorySessionStorage();
  const log: string[] = [];
  const options = {
    WebSocket: NodeWebSocket,
    logger: silentLogger,
    sessionStorage: storage,
    reconnect: { initialDelay: 10, maxDelay: 20 },
    onConnected: () => log.push("connected"),
    onDisconnected: () => log.push("disconnected"),
    onSignal: (signal: ServerSignal) => log.push(signal.name),
    onSessionCreated: () => log.push("sessioncreated"),
  };
  const first = new Client(running.url, options);
  const second = new Client(running.url, options); // the page reloaded: the stored session
  try {
    await first.request("login");
    await first.request("drop"); // a reconnect that restores the session
    await until(() => log.length >= 6, "the reconnect's signal");
    await first.close();
    await second.connect();
    await until(() => log.length >= 10, "the second client's events");
    assert.deepEqual(log, [
      ...["connected", "welcome", "sessioncreated", "disconnected", "connected", "welcome"],
      ...["disconnected", "connected", "welcome", "sessioncreated"],
    ]);
  } finally {
    await first.close();
    await second.close();
    await running.close();
  }
});

// A text frame whose payload is not UTF-8: `ws` reads on while the close handshake runs and
// emits 'error' for it, which ends a Node process unless the socket still has an error handler.
const invalidText = serverFrame(1, new Uint8Array([0xff, 0xfe]));
const binaryAcceptConf = serverFrame(2, acceptConf());

test("on ws: an invalid frame during the close handshake of close() does not crash", async () => {
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(binaryAcceptConf),
    onData: (socket) => socket.write(invalidText), // the answer to the client's close frame
  });
  const client = new Client(peer.url, { WebSocket: NodeWebSocket, logger: silentLogger });
  try {
    await client.connect();
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(client.status, "closed");
  } finally {
    await peer.close();
  }
});

test("on ws: an invalid frame after a protocol violation does not crash", async () => {
  const text = serverFrame(1, new TextEncoder().encode("not binary"));
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(binaryAcceptConf),
    onData: (socket) => socket.write(Uint8Array.of(...text, ...invalidText)), // in one read
  });
  const client = new Client(peer.url, {
    WebSocket: NodeWebSocket,
    logger: silentLogger,
    autoconnect: false,
  });
  const lost = new Promise<Error>((resolve) => {
    client.addEventListener("disconnected", (event) => resolve(event.detail));
  });
  try {
    await client.connect();
    client.signal("hello");
    const reason = await lost;
    assert.match(String(reason.cause), /text frame/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(client.status, "disconnected");
  } finally {
    await client.close();
    await peer.close();
  }
});

test("on ws: a ws+unix: URL reaches a server on a Unix domain socket", async () => {
  const server = new Server({ logger: silentLogger, onRequest: (request) => request.payload });
  const { request, upgrade } = nodeHandlers(server);
  const http = createServer(request).on("upgrade", upgrade);
  const directory = mkdtempSync(join(tmpdir(), "webwire-"));
  const socketPath = join(directory, "server.sock");
  await new Promise<void>((resolve) => http.listen(socketPath, resolve));
  const url = `ws+unix://${socketPath}:/ws`; // `ws`'s form: the socket's path, then the request's
  const client = new Client(url, { WebSocket: NodeWebSocket, logger: silentLogger });
  try {
    assert.equal(client.url, url);
    assert.equal((await client.request("echo", "over unix")).text(), "over unix");
  } finally {
    await client.close();
    await server.shutdown();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
});

/** The payloads of masked client frames under 126 bytes, as they came in one chunk. */
function clientPayloads(bytes: Uint8Array): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  for (let at = 0; at + 6 <= bytes.length;) {
    const length = bytes[at + 1] & 0x7f;
    const mask = bytes.subarray(at + 2, at + 6);
    payloads.push(bytes.slice(at + 6, at + 6 + length).map((byte, i) => byte ^ mask[i % 4]));
    at += 6 + length;
  }
  return payloads;
}

test("closeSession keeps a session the server creates right after its reply, in the same read", async () => {
  const session = (key: string) =>
    JSON.stringify({ k: key, c: "2026-01-01T00:00:00Z", l: "2026-01-01T00:00:00Z", i: null });
  let closeId: Uint8Array | undefined;
  let logins = 0;
  // The first login creates ada's session. The second comes with a close-session, both
  // answered in one write, as a server that ran them at once does: the close's reply, then
  // the login's new session, then the login's reply.
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(binaryAcceptConf),
    onData: (socket, bytes) => {
      for (const message of clientPayloads(bytes)) {
        const id = message.slice(1, 9);
        if (message[0] === MessageType.CloseSession) closeId = id;
        if (message[0] !== MessageType.RequestUtf8) continue;
        const user = ++logins === 1 ? "ada" : "bob";
        socket.write(oneWrite([
          ...(closeId === undefined ? [] : [serverFrame(2, encodeReply({ id: closeId }))]),
          serverFrame(2, encodeSessionCreated(session(user))),
          serverFrame(2, encodeReply({ id, payload: "welcome" })),
        ]));
      }
    },
  });
  const events: string[] = [];
  const client = new Client(peer.url, { WebSocket: NodeWebSocket, logger: silentLogger });
  client.addEventListener(
    "sessioncreated",
    (event) => void events.push(`created ${event.detail.key}`),
  );
  client.addEventListener("sessionclosed", () => void events.push("closed"));
  try {
    await client.request("login", "ada");
    assert.equal(client.session?.key, "ada");
    await Promise.all([client.closeSession(), client.request("login", "bob")]);
    assert.equal(client.session?.key, "bob", events.join(", "));
    assert.deepEqual(events, ["created ada", "closed", "created bob"]);
  } finally {
    await client.close();
    await peer.close();
  }
});
