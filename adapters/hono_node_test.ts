// The Hono adapter on Node: a Hono app served by `@hono/node-server`, upgraded by
// `@hono/node-ws`, with the client on the `ws` package's WebSocket. Run under Node by
// scripts/extra_suites.mjs, and under Deno. Not under Bun, whose `bun test` runs every file in
// one process: `@hono/node-server` replaces the global `Response` with its own, which `Bun.serve`
// then refuses in the files that follow.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client/client.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { Connection } from "../server/connection.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { serveHonoNode } from "../testing/serve_hono.ts";
import { until } from "../testing/until.ts";

test("hono on node: requests, an error reply, signals both ways, the peer's address", {
  skip: "Bun" in globalThis && "@hono/node-server replaces Bun's global Response",
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
