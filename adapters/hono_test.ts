import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { encodeRequest, encodeSignal, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import type { Connection } from "../server/connection.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ServerOptions } from "../server/options.ts";
import type { Context } from "hono";
import { honoBunWebSocket, honoHandler, type HonoWSEvents } from "./hono.ts";
import type { Server } from "../server/server.ts";
import { RawClient } from "../testing/raw_client.ts";
import { recordingServer } from "../testing/recording_server.ts";
import { serveHono } from "../testing/serve_hono.ts";
import { until } from "../testing/until.ts";

const id = requestIdFromNumber;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface HonoApp {
  server: Server;
  /** `ws://127.0.0.1:<port>/ws` */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  disconnects: DisconnectReason[];
  close(): Promise<void>;
}

/**
 * How Bun's WebSocket events reach the core: through the adapter's `honoBunWebSocket`
 * handlers (`direct`) and through Hono's own (`hono`); under Deno, from Deno's socket once it
 * opens (`direct`).
 */
const bunEventModes: ("direct" | "hono")[] = "Bun" in globalThis ? ["direct", "hono"] : ["direct"];

/** The test name's suffix for a mode of {@link bunEventModes}. */
const modeName = (mode: "direct" | "hono") => mode === "hono" ? " (Hono's Bun handlers)" : "";

/**
 * A Hono app with WebWire on `/ws`, a plain route on `/health` and a Hono WebSocket echo on
 * `/echo`, served by the runtime.
 */
async function serveApp(
  options: ServerOptions = {},
  bunEvents: "direct" | "hono" = "direct",
): Promise<HonoApp> {
  const { server, disconnects } = recordingServer(options);
  const running = await serveHono(server, { bunEvents });
  return {
    server,
    port: running.port,
    url: running.url,
    origin: `http://127.0.0.1:${running.port}`,
    disconnects,
    close: running.close,
  };
}

/** Sends a WebSocket upgrade request over plain TCP and returns the raw HTTP response. */
function rawUpgrade(
  port: number,
  path: string,
  key = "dGhlIHNhbXBsZSBub25jZQ==",
  version = "13",
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      response += chunk;
      // The refusal's body is short; once it is in, the answer is complete.
      if (response.includes("\r\n\r\n") && /no token|shutting down|key|only/.test(response)) {
        socket.destroy();
        resolve(response);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(response));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        `Sec-WebSocket-Version: ${version}\r\n\r\n`,
    );
  });
}

for (const mode of bunEventModes) {
  test(`hono${modeName(mode)}: accept-conf, echo in binary and UTF-8, a signal each way, the peer's address`, async () => {
    const signals: string[] = [];
    let connected: Connection | undefined;
    const app = await serveApp({
      messageBufferSize: 4000,
      readTimeout: 7000,
      onClientConnected: (connection) => void (connected = connection),
      onRequest: (request) => request.payload,
      onSignal: (signal) => {
        signals.push(`${signal.name}:${signal.payload.text()}`);
        signal.connection.signal("pong", signal.payload.text());
      },
    }, mode);
    try {
      const client = await RawClient.connect(app.url);
      const conf = await client.next();
      assert.ok(conf.kind === "accept-conf");
      assert.deepEqual([conf.readTimeoutMs, conf.messageBufferSize], [7000, 4000]);

      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      client.send(encodeRequest({ id: id(1), name: "echo", payload: bytes }));
      const binary = await client.next();
      assert.ok(binary.kind === "reply");
      assert.equal(binary.encoding, "binary");
      assert.equal(requestIdKey(binary.id), 1);
      assert.deepEqual([...binary.payload], [...bytes]);

      client.send(encodeRequest({ id: id(2), name: "echo", payload: "grüß" }));
      const utf8 = await client.next();
      assert.ok(utf8.kind === "reply");
      assert.equal(utf8.encoding, "utf8");
      assert.equal(text(utf8.payload), "grüß");

      client.send(encodeSignal({ name: "ping", payload: "42" }));
      const pong = await client.next();
      assert.ok(pong.kind === "signal");
      assert.equal(pong.nameText, "pong");
      assert.equal(text(pong.payload), "42");
      assert.deepEqual(signals, ["ping:42"]);

      assert.match(connected?.remoteAddress ?? "", /^127\.0\.0\.1:\d+$/);
      client.close();
      await client.closed;
      await until(() => app.disconnects.length === 1, "disconnect reported");
      assert.equal(app.disconnects[0].kind, "client-closed");
      assert.equal(app.disconnects[0].code, 1000);
    } finally {
      await app.close();
    }
  });
}

test("hono: the app's other routes still work and plain GETs of /ws get the core's 426", async () => {
  const app = await serveApp();
  try {
    const health = await fetch(`${app.origin}/health`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "healthy");
    const plain = await fetch(`${app.origin}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
    const missing = await fetch(`${app.origin}/nowhere`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await app.close();
  }
});

test("hono: a bad key or version is refused as the Node adapter does, not with Hono's 500", async () => {
  const app = await serveApp();
  try {
    assert.match(
      await rawUpgrade(app.port, "/ws", "abc"),
      /^HTTP\/1\.1 400 .*bad sec-websocket-key/s,
    );
    assert.match(await rawUpgrade(app.port, "/ws", undefined, "8"), /^HTTP\/1\.1 426 /);
    assert.equal(app.server.connectionCount, 0);
  } finally {
    await app.close();
  }
});

test("hono: a beforeUpgrade refusal reaches the client; its options reach the connection", async () => {
  let info: Record<string, unknown> | undefined;
  const app = await serveApp({
    beforeUpgrade: (request) => {
      const token = new URL(request.url).searchParams.get("token");
      if (token !== "ok") return new Response("no token\n", { status: 401 });
      return { info: { user: "ada" } };
    },
    onClientConnected: (connection) => void (info = connection.info),
  });
  try {
    const refused = await rawUpgrade(app.port, "/ws");
    assert.match(refused, /^HTTP\/1\.1 401 /);
    assert.match(refused, /no token/);
    assert.equal(app.server.connectionCount, 0);

    const client = await RawClient.handshake(`${app.url}?token=ok`);
    assert.deepEqual(info, { user: "ada" });
    client.close();
    await client.closed;
  } finally {
    await app.close();
  }
});

test("hono on deno: Deno's idle timeout is off, and messages and the close go past Hono's events", {
  skip: !("Deno" in globalThis),
}, async () => {
  const { Hono } = await import("hono");
  const { upgradeWebSocket } = await import("hono/deno");
  const { server, disconnects } = recordingServer({ onRequest: (request) => request.payload });
  let socket: WebSocket | undefined;
  const seen: string[] = [];
  // Hono's own helper, watched: what the adapter passes reaches it, the socket it made, and
  // which of the adapter's events Hono calls.
  const watched = (c: Context, events: HonoWSEvents, ...options: unknown[]) =>
    upgradeWebSocket(c, {
      onOpen: (event, ws) => {
        seen.push("open");
        socket = ws.raw;
        events.onOpen(event, ws);
      },
      onMessage: (event, ws) => (seen.push("message"), events.onMessage(event, ws)),
      onClose: (event, ws) => (seen.push("close"), events.onClose(event, ws)),
      onError: (event, ws) => events.onError(event, ws),
    }, ...(options as [Deno.UpgradeWebSocketOptions?]));
  const app = new Hono();
  app.get("/ws", honoHandler(server, watched));
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    const client = await RawClient.handshake(`ws://127.0.0.1:${http.addr.port}/ws`);
    client.send(encodeRequest({ id: id(1), name: "echo", payload: "hi" }));
    const reply = await client.next();
    assert.ok(reply.kind === "reply");
    assert.equal(text(reply.payload), "hi");
    // Deno keeps the timeout (seconds; 120 by default) under a private symbol.
    const key = Object.getOwnPropertySymbols(socket).find((s) =>
      s.description === "[[idleTimeout]]"
    );
    assert.ok(key !== undefined, "Deno's WebSocket keeps its idle timeout under [[idleTimeout]]");
    assert.equal((socket as unknown as Record<symbol, unknown>)[key], 0);
    client.close();
    await client.closed;
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.equal(disconnects[0].kind, "client-closed");
    assert.deepEqual(seen, ["open"]);
  } finally {
    await server.shutdown();
    await http.shutdown();
  }
});

for (const mode of bunEventModes) {
  test(`hono${modeName(mode)}: text frames close with 1003, oversized messages with 1009`, async () => {
    const app = await serveApp(
      { messageBufferSize: 1024, onRequest: (request) => request.payload },
      mode,
    );
    try {
      const texting = await RawClient.handshake(app.url);
      texting.send("hello");
      assert.equal((await texting.closed).code, 1003);

      const big = await RawClient.handshake(app.url);
      big.send(encodeRequest({ id: id(1), name: "a", payload: new Uint8Array(1024 - 11) }));
      assert.equal((await big.next()).kind, "reply");
      big.send(encodeRequest({ id: id(2), name: "a", payload: new Uint8Array(1024 - 10) }));
      assert.equal((await big.closed).code, 1009);
      await until(() => app.disconnects.length === 2, "disconnects reported");
      assert.deepEqual(app.disconnects.map((reason) => reason.kind), [
        "protocol-violation",
        "message-too-big",
      ]);
    } finally {
      await app.close();
    }
  });
}

for (const mode of bunEventModes) {
  test(`hono${modeName(mode)}: graceful shutdown finishes running handlers, closes with 1001, then refuses`, async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => release = resolve);
    let started = false;
    const app = await serveApp({
      onRequest: async (request) => {
        started = true;
        await released;
        return `done ${request.payload.text()}`;
      },
    }, mode);
    let closing: Promise<void> | undefined;
    try {
      const client = await RawClient.handshake(app.url);
      client.send(encodeRequest({ id: id(7), name: "slow", payload: "work" }));
      await until(() => started, "handler started");
      closing = app.close();
      assert.equal(app.server.isShuttingDown, true);
      const refused = await rawUpgrade(app.port, "/ws");
      assert.match(refused, /^HTTP\/1\.1 503 /);
      assert.ok(await client.silentFor(50), "no reply before the handler finishes");
      release();
      const reply = await client.next();
      assert.ok(reply.kind === "reply");
      assert.equal(requestIdKey(reply.id), 7);
      assert.equal(text(reply.payload), "done work");
      assert.equal((await client.closed).code, 1001);
      await closing;
      assert.deepEqual(app.disconnects.map((reason) => reason.kind), ["shutdown"]);
    } finally {
      release();
      await (closing ?? app.close());
    }
  });
}

for (const mode of bunEventModes) {
  test(`hono${modeName(mode)}: the app's own WebSocket route works beside WebWire's`, async () => {
    const app = await serveApp({ onRequest: (request) => request.payload }, mode);
    try {
      const webwire = await RawClient.handshake(app.url);
      const echo = new WebSocket(`ws://127.0.0.1:${app.port}/echo`);
      const answers: unknown[] = [];
      const answered = new Promise<void>((resolve, reject) => {
        echo.onmessage = (event) => {
          answers.push(event.data);
          if (answers.length === 2) resolve();
        };
        echo.onerror = () => reject(new Error("the /echo socket failed"));
      });
      await new Promise((resolve) => echo.onopen = resolve);
      echo.send("hi");
      webwire.send(encodeRequest({ id: id(1), name: "echo", payload: "ww" }));
      echo.send("again");
      await answered;
      assert.deepEqual(answers, ["echo: hi", "echo: again"]);
      const reply = await webwire.next();
      assert.ok(reply.kind === "reply");
      assert.equal(text(reply.payload), "ww");
      echo.close();
      webwire.close();
      await webwire.closed;
    } finally {
      await app.close();
    }
  });
}

test("hono on bun: honoBunWebSocket delivers WebWire's messages and closes past Hono's events", {
  skip: !("Bun" in globalThis),
}, async () => {
  const { Hono } = await import("hono");
  const { upgradeWebSocket, websocket } = await import("hono/bun");
  const bun = (globalThis as unknown as { Bun: BunServe }).Bun;
  const seen = { direct: [] as string[], hono: [] as string[] };
  for (const mode of ["direct", "hono"] as const) {
    const { server, disconnects } = recordingServer({ onRequest: (request) => request.payload });
    // Hono's own helper, watched: which of the adapter's events Hono calls.
    const watched = (c: Context, events: HonoWSEvents) =>
      upgradeWebSocket(c, {
        onOpen: (event, ws) => (seen[mode].push("open"), events.onOpen(event, ws)),
        onMessage: (event, ws) => (seen[mode].push("message"), events.onMessage(event, ws)),
        onClose: (event, ws) => (seen[mode].push("close"), events.onClose(event, ws)),
        onError: (event, ws) => events.onError(event, ws),
      });
    const app = new Hono();
    app.get("/ws", honoHandler(server, watched));
    const http = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: app.fetch,
      websocket: mode === "direct"
        ? honoBunWebSocket(server, websocket)
        : { ...websocket, idleTimeout: 0 },
    });
    try {
      const client = await RawClient.handshake(`ws://127.0.0.1:${http.port}/ws`);
      client.send(encodeRequest({ id: id(1), name: "echo", payload: "hi" }));
      const reply = await client.next();
      assert.ok(reply.kind === "reply");
      assert.equal(text(reply.payload), "hi");
      client.close();
      await client.closed;
      await until(() => disconnects.length === 1, "disconnect reported");
      assert.equal(disconnects[0].kind, "client-closed");
    } finally {
      await server.shutdown();
      await http.stop(true);
    }
  }
  assert.deepEqual(seen, { direct: ["open"], hono: ["open", "message", "close"] });
});

interface BunServe {
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    websocket: unknown;
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}
