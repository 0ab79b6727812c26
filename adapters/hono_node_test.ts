// The Hono adapter on Node: a Hono app served by `@hono/node-server`, upgraded by
// `@hono/node-ws`, with the client on the `ws` package's WebSocket or on raw TCP. Run under Node by
// scripts/extra_suites.mjs, and under Deno. Not under Bun, whose `bun test` runs every file in
// one process: `@hono/node-server` replaces the global `Response` with its own, which `Bun.serve`
// then refuses in the files that follow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client/client.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { Connection } from "../server/connection.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { echoFrame } from "../testing/raw_exchange.ts";
import { serveHonoNode } from "../testing/serve_hono.ts";
import { serveNodeApp } from "../testing/hono_node_app.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, Opcode } from "../testing/ws_frame.ts";

const skip = "Bun" in globalThis && "@hono/node-server replaces Bun's global Response";

test("hono on node: requests, an error reply, signals both ways, the peer's address", {
  skip,
}, async () => {
  const service = conformanceService();
  let connected: Connection | undefined;
  const server = new Server({
    ...service,
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    readTimeout: 1000,
    onClientConnected: (connection) => void (connected = connection),
  });
  const running = await serveHonoNode(server);
  const signals: string[] = [];
  const client = new Client(running.url, {
    WebSocket: NodeWebSocket,
    onSignal: (signal) => void signals.push(`${signal.name}:${signal.payload.text()}`),
  });
  try {
    assert.equal(running.url, `ws://127.0.0.1:${running.port}/ws`);
    const health = await fetch(`http://127.0.0.1:${running.port}/health`);
    assert.equal(await health.text(), "healthy");
    const plain = await fetch(`http://127.0.0.1:${running.port}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();

    await client.connect();
    const reply = await client.request("echo", "ünïcode", { encoding: "utf16" });
    assert.equal(reply.text(), "ünïcode");
    const binary = await client.request("echo", new Uint8Array([0, 255, 7]));
    assert.deepEqual([...binary.bytes], [0, 255, 7]);
    await assert.rejects(client.request("error"), (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, "TEST_ERROR");
      return true;
    });
    client.signal("echo-signal", "back");
    await client.request("signal-me");
    await until(() => signals.includes("echo-signal:back"), "the echoed signal");
    assert.ok(signals.includes("srvsig:ping"), signals.join());
    assert.match(connected?.remoteAddress ?? "", /^127\.0\.0\.1:\d+$/);
    // Idle past the server's read timeout: heartbeats keep the connection.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await running.close();
  }
});

/**
 * Sends an upgrade request head with `key`, `version`, `method` and `extra` header lines;
 * resolves to the status line.
 */
function upgradeStatus(
  port: number,
  key: string,
  version = "13",
  method = "GET",
  http = "HTTP/1.1",
  extra = "",
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => answer += chunk);
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer.split("\r\n")[0]));
    socket.write(
      `${method} /ws ${http}\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n${extra}\r\n`,
    );
  });
}

test("hono on node: a bad handshake is refused before the helper, which would keep it", {
  skip,
}, async () => {
  const app = await serveNodeApp({});
  try {
    // @hono/node-ws parks each upgrade it is handed until ws accepts it, which ws never does
    // for a bad key: about 7 KB kept per request.
    const before = heapAfterGc();
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 100 }, () => upgradeStatus(app.port, "abc")));
    }
    const kept = heapAfterGc() - before;
    assert.ok(kept < 2_000_000, `${kept} bytes kept after 1000 refused upgrades`);
    assert.match(await upgradeStatus(app.port, "abc"), /^HTTP\/1\.1 400 /);
    assert.match(
      await upgradeStatus(app.port, "dGhlIHNhbXBsZSBub25jZQ==", "8"),
      /^HTTP\/1\.1 426 /,
    );
    // RFC 6455 asks for HTTP/1.1 at least, as the Node adapter does (ws would take 1.0).
    assert.match(
      await upgradeStatus(app.port, "dGhlIHNhbXBsZSBub25jZQ==", "13", "GET", "HTTP/1.0"),
      /^HTTP\/1\.[01] 400 /,
    );
    assert.equal(app.server.connectionCount, 0);
  } finally {
    await app.close();
  }
});

test("hono on node: an empty sec-websocket-protocol is refused before the helper too", {
  skip,
}, async () => {
  const app = await serveNodeApp({});
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  const empty = "Sec-WebSocket-Protocol: \r\n";
  try {
    // @hono/node-ws leaves empty headers out of the app's request, while ws refuses the empty
    // list (400): a request handed to the helper would be parked for good.
    const before = heapAfterGc();
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () => upgradeStatus(app.port, key, "13", "GET", "HTTP/1.1", empty),
        ),
      );
    }
    const kept = heapAfterGc() - before;
    assert.ok(kept < 2_000_000, `${kept} bytes kept after 1000 refused upgrades`);
    assert.match(
      await upgradeStatus(app.port, key, "13", "GET", "HTTP/1.1", empty),
      /^HTTP\/1\.1 400 /,
    );
    assert.equal(app.server.connectionCount, 0);
  } finally {
    await app.close();
  }
});

/** Sends an upgrade request for `target` and resets the connection at once (a FIN without Node). */
function upgradeAndReset(port: number, target: string, key: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const reset = (socket as { resetAndDestroy?: () => unknown }).resetAndDestroy;
      if (typeof reset === "function") reset.call(socket);
      else socket.destroy();
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

test("hono on node: an upgrade by POST, or one reset during beforeUpgrade, is not kept", {
  skip,
}, async () => {
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  // @hono/node-ws hands the app every upgrade as a GET and parks it until ws accepts it, which
  // ws never does for a POST (405) or a socket already gone: about 9 KB kept per request.
  const app = await serveNodeApp({
    beforeUpgrade: () => new Promise((resolve) => setTimeout(resolve, 30)),
  });
  try {
    assert.match(await upgradeStatus(app.port, key, "13", "POST"), /^HTTP\/1\.1 405 /);
    const before = heapAfterGc();
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, () => upgradeStatus(app.port, key, "13", "POST")),
      );
      await Promise.all(Array.from({ length: 50 }, () => upgradeAndReset(app.port, "/ws", key)));
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // the last beforeUpgrade calls end
    const kept = heapAfterGc() - before;
    assert.ok(kept < 2_000_000, `${kept} bytes kept after 1000 upgrades that were never made`);
    assert.equal(app.server.connectionCount, 0);
  } finally {
    await app.close();
  }
});

test("hono on node: clients that reset during refused upgrades do not crash the server", {
  skip,
}, async () => {
  const refusing = {
    beforeUpgrade: (request: Request) =>
      request.url.includes("no") ? new Response("no", { status: 401 }) : undefined,
  };
  // honoHandler guards its own route; guardNodeUpgrades the app's other paths.
  const unguarded = await serveNodeApp(refusing);
  const guarded = await serveNodeApp({}, true);
  try {
    for (let i = 0; i < 100; i++) {
      await Promise.all([
        upgradeAndReset(unguarded.port, "/ws", "bad"),
        upgradeAndReset(unguarded.port, "/ws?no", "dGhlIHNhbXBsZSBub25jZQ=="),
        upgradeAndReset(guarded.port, "/elsewhere", "dGhlIHNhbXBsZSBub25jZQ=="),
      ]);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // the answers' writes fail meanwhile
    for (const app of [unguarded, guarded]) {
      const client = new Client(app.url, { WebSocket: NodeWebSocket });
      assert.equal((await client.request("echo", "still here")).text(), "still here");
      await client.close();
    }
  } finally {
    await unguarded.close();
    await guarded.close();
  }
});

/** Client frames that break WebSocket, each with the close code ws sends and the violation. */
const badFrames: { name: string; bytes: Uint8Array; code: number; kind: string }[] = [
  { name: "an unmasked frame", bytes: new Uint8Array([0x82, 1, 0]), code: 1002, kind: "malformed" },
  {
    name: "a reserved bit",
    bytes: maskedFrame(new Uint8Array(3)).map((byte, i) => i === 0 ? byte | 0x40 : byte),
    code: 1002,
    kind: "malformed",
  },
  {
    name: "a text frame that is not UTF-8",
    bytes: maskedFrame(new Uint8Array([0xff]), Opcode.Text),
    code: 1007,
    kind: "malformed",
  },
  // A header announcing 1025 bytes and none of them: refused before any is buffered (without
  // limitNodeWebSocketServer ws would wait for them, up to 100 MiB).
  {
    name: "a message over messageBufferSize",
    bytes: new Uint8Array([0x82, 0x80 | 126, 0x04, 0x01, 1, 2, 3, 4]),
    code: 1009,
    kind: "too-big",
  },
];

for (const bad of badFrames) {
  test(`hono on node: ${bad.name} is reported and the socket dropped within closeTimeout`, {
    skip,
  }, async () => {
    const printed: unknown[] = [];
    const print = console.error;
    console.error = (...args: unknown[]) => void printed.push(args[0]);
    const app = await serveNodeApp({ closeTimeout: 300, messageBufferSize: 1024 });
    try {
      const url = `ws://127.0.0.1:${app.port}/ws`;
      const client = await TcpClient.connect(url, { halfOpen: true });
      await client.next(5000); // accept-conf
      client.write(echoFrame(1));
      assert.equal((await client.next(5000)).opcode, Opcode.Binary); // its reply
      const sent = performance.now();
      client.write(bad.bytes);
      assert.equal((await client.closeFrame(2000))?.code, bad.code);
      // The client never answers the close: ws alone would keep the socket for 30 s.
      await until(async () => await app.openSockets() === 0, "the socket dropped");
      const gone = performance.now() - sent;
      assert.ok(gone < 1300, `the socket was dropped after ${gone} ms`);
      await until(() => app.disconnects.length === 1, "the disconnect reported");
      assert.deepEqual(app.violations.map((violation) => violation.kind), [bad.kind]);
      assert.equal(app.disconnects[0].code, bad.code);
      assert.equal(app.server.connections().length, 0);
      assert.deepEqual(printed, []);
      client.destroy();
    } finally {
      console.error = print;
      await app.close();
    }
  });
}
