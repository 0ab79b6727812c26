// A client that ends its side (FIN) while an `async` beforeUpgrade runs, under Hono on Bun:
// Bun cannot upgrade it any more, so `hono/bun`'s helper throws "Failed to upgrade WebSocket".
// The adapter drops that client quietly, as the Bun adapter does: nothing is logged (Hono's
// default error handler would log the error with `console.error`) and nothing connects. Bun
// only: on Deno the request gets no answer (docs/server.md), on Node `@hono/node-ws` keeps it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { upgradeRequest } from "../testing/raw_answer.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { serveHono } from "../testing/serve_hono.ts";
import { until } from "../testing/until.ts";

if ("Bun" in globalThis) {
  test("hono on bun: a client gone during beforeUpgrade is dropped without a log", async () => {
    let decided = false;
    let connected = 0;
    const server = new Server({
      sessionManager: new MemorySessionManager(),
      beforeUpgrade: async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        decided = true;
        return {};
      },
      onClientConnected: () => void connected++,
    });
    const running = await serveHono(server);
    const logged: string[] = [];
    const consoleError = console.error;
    console.error = (...data: unknown[]) => void logged.push(data.map(String).join(" "));
    try {
      const peer = await RawHttpPeer.connect(running.port);
      peer.write(upgradeRequest());
      peer.end();
      await until(() => decided, "beforeUpgrade returned");
      await until(() => peer.closed, "the server closed the connection");
      // Time for Hono to finish the request (and, before the fix, to log).
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(logged, []);
      assert.equal(connected, 0);
      assert.equal(peer.statuses.length, 0, peer.text);
    } finally {
      console.error = consoleError;
      await running.close();
    }
  });
}
