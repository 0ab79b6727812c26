// DenoWebSocket as the client's socket, against every adapter Deno serves with, over ws: and
// wss:, with the closing handshake both ways and the failures a browser's WebSocket reports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { Server } from "../server.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import { DenoWebSocket } from "./deno_websocket.ts";
import { serveDenoTcp } from "./deno_tcp.ts";

const onDeno = "Deno" in globalThis && !("Bun" in globalThis);
const sizes = [0, 1, 125, 126, 1400, 65535, 65536, 1024 * 1024 + 3];

/** The events of a socket, in order, as short strings. */
function eventsOf(socket: DenoWebSocket): { log: string[]; closed: Promise<CloseEvent> } {
  const log: string[] = [];
  socket.onopen = () => log.push("open");
  socket.onerror = () => log.push("error");
  socket.onmessage = (event) =>
    log.push(`message ${typeof event.data === "string" ? event.data : "bytes"}`);
  const closed = new Promise<CloseEvent>((resolve) =>
    socket.onclose = (event) => {
      log.push(`close ${event.code} ${event.wasClean ? "clean" : "unclean"}`);
      resolve(event);
    }
  );
  return { log, closed };
}

for (const adapter of onDeno ? adaptersOfThisRuntime : []) {
  test(`the client over DenoWebSocket echoes every size, in order with signals (${adapter})`, async () => {
    const signals: string[] = [];
    const running = await startServer({
      adapter,
      messageBufferSize: 2 * 1024 * 1024,
      onSignal: (signal) => void signals.push(signal.name),
      onRequest: (request) => request.payload,
    });
    const client = new Client(running.url, { WebSocket: DenoWebSocket });
    try {
      await client.connect();
      for (const size of sizes) {
        const bytes = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff);
        client.signal(`before-${size}`);
        const reply = await client.request("echo", bytes);
        assert.deepEqual(reply.bytes, bytes, `${size} bytes`);
      }
      assert.equal((await client.request("echo", "héllo")).text(), "héllo");
      assert.deepEqual(signals, sizes.map((size) => `before-${size}`));
    } finally {
      await client.close();
      await running.close();
    }
  });
}

test("a close from the client is clean both ways; a shutdown reaches it as 1001", {
  skip: !onDeno,
}, async () => {
  const reasons: DisconnectReason[] = [];
  const running = await startServer({
    logger: silentLogger,
    onClientDisconnected: (_connection, reason) => void reasons.push(reason),
  });
  try {
    const first = new DenoWebSocket(running.url);
    const events = eventsOf(first);
    await until(() => first.readyState === DenoWebSocket.OPEN, "open");
    first.close(1000, "bye");
    assert.equal(first.readyState, DenoWebSocket.CLOSING);
    const closed = await events.closed;
    assert.equal(closed.code, 1000);
    assert.ok(closed.wasClean);
    assert.deepEqual(events.log, ["open", "message bytes", "close 1000 clean"]);
    await until(() => reasons.length === 1, "the server saw the close");
    assert.equal(reasons[0].code, 1000);

    const second = new DenoWebSocket(running.url);
    const more = eventsOf(second);
    await until(() => second.readyState === DenoWebSocket.OPEN, "open");
    await running.server.shutdown();
    const shut = await more.closed;
    assert.equal(shut.code, 1001);
    assert.equal(shut.reason, "server shutting down");
    assert.ok(shut.wasClean);
    assert.equal(second.readyState, DenoWebSocket.CLOSED);
  } finally {
    await running.close();
  }
});

test("a refused upgrade, a closed port and a close while connecting: error, then 1006", {
  skip: !onDeno,
}, async () => {
  const http = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response("no", { status: 403 }),
  );
  const port = http.addr.port;
  try {
    const refused = new DenoWebSocket(`ws://127.0.0.1:${port}/`);
    const events = eventsOf(refused);
    assert.throws(() => refused.send("early"), { name: "InvalidStateError" });
    const closed = await events.closed;
    assert.deepEqual(events.log, ["error", "close 1006 unclean"]);
    assert.equal(closed.wasClean, false);

    // The client tells why, as with the runtime's own socket.
    const client = new Client(`ws://127.0.0.1:${port}/`, { WebSocket: DenoWebSocket });
    await assert.rejects(client.connect(), { name: "ConnectionFailedError", status: 403 });
    await client.close();
  } finally {
    await http.shutdown();
  }
  const nobody = new DenoWebSocket(`ws://127.0.0.1:${port}/`);
  const gone = eventsOf(nobody);
  await gone.closed;
  assert.deepEqual(gone.log, ["error", "close 1006 unclean"]);
  const unheard = new Client(`ws://127.0.0.1:${port}/`, { WebSocket: DenoWebSocket });
  await assert.rejects(unheard.connect(), { name: "ConnectionFailedError", kind: "refused" });
  await unheard.close();

  const running = await startServer();
  try {
    const given = new DenoWebSocket(running.url);
    const given_up = eventsOf(given);
    given.close();
    await given_up.closed;
    assert.deepEqual(given_up.log, ["error", "close 1006 unclean"]);
  } finally {
    await running.close();
  }
});

test("bad arguments are refused as a browser's WebSocket refuses them", { skip: !onDeno }, () => {
  assert.throws(() => new DenoWebSocket("ftp://127.0.0.1/"), { name: "SyntaxError" });
  assert.throws(() => new DenoWebSocket("ws://127.0.0.1/#x"), { name: "SyntaxError" });
  assert.throws(() => new DenoWebSocket("not a url"), { name: "SyntaxError" });
  const socket = new DenoWebSocket("http://127.0.0.1:1/path");
  assert.equal(socket.url, "ws://127.0.0.1:1/path");
  assert.throws(() => socket.close(1001), { name: "InvalidAccessError" });
  assert.throws(() => socket.close(1000, "x".repeat(124)), { name: "SyntaxError" });
  socket.onerror = () => {};
  socket.close();
});

test("over wss: with the test CA", { skip: !onDeno }, async () => {
  const read = (name: string) =>
    Deno.readTextFileSync(new URL(`../testing/tls/${name}`, import.meta.url));
  const server = new Server({
    sessionsEnabled: false,
    messageBufferSize: 1024 * 1024,
    onRequest: (request) => request.payload,
  });
  const running = await serveDenoTcp(server, {
    tls: { cert: read("localhost_cert.pem"), key: read("localhost_key.pem") },
  });
  const WebSocket = DenoWebSocket.withOptions({ caCerts: [read("ca_cert.pem")] });
  const client = new Client(`wss://localhost:${running.port}/`, { WebSocket });
  try {
    const bytes = new Uint8Array(70_000).map((_, i) => i & 0xff);
    assert.deepEqual((await client.request("echo", bytes)).bytes, bytes);
    // Without the CA, the certificate is not trusted: the connection fails.
    const untrusting = new DenoWebSocket(`wss://localhost:${running.port}/`);
    const events = eventsOf(untrusting);
    await events.closed;
    assert.deepEqual(events.log, ["error", "close 1006 unclean"]);
    const url = `wss://localhost:${running.port}/`;
    const untrusted = new Client(url, { WebSocket: DenoWebSocket });
    await assert.rejects(untrusted.connect(), { name: "ConnectionFailedError", kind: "tls" });
    await untrusted.close();
  } finally {
    await client.close();
    await running.close();
  }
});

test("a close while wss: starts its TLS ends it, with a server that never answers", {
  skip: !onDeno,
}, async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const hung: number[] = [];
  try {
    // close() a few microtasks after the server took the connection: one of them falls while
    // Deno.startTls is being awaited.
    for (let ticks = 0; ticks < 8; ticks++) {
      const accepted = listener.accept();
      const socket = new DenoWebSocket(`wss://localhost:${listener.addr.port}/`);
      socket.onerror = () => {};
      let closed = false;
      const ended = new Promise<void>((resolve) =>
        socket.onclose = () => {
          closed = true;
          resolve();
        }
      );
      const conn = await accepted;
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      socket.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([ended, new Promise((resolve) => timer = setTimeout(resolve, 500))]);
      clearTimeout(timer);
      if (!closed) hung.push(ticks);
      conn.close();
      await ended;
    }
  } finally {
    listener.close();
  }
  assert.deepEqual(hung, [], "closed after so many microtasks, the socket waited for the server");
});
