// The client with the `ws` package's WebSocket (how it runs on Node 20, which has no global
// WebSocket) against the Node adapter: run under Node by scripts/extra_suites.mjs, and under
// Deno and Bun like every test.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { serveNode } from "../adapters/node.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { Client } from "./client.ts";

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
