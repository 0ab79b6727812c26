// The Hono adapter on Node: an upgrade request whose target makes no URL. `injectWebSocket` of
// `@hono/node-ws` makes a URL of it in an async listener, and the rejection would end the process.
// Run under Node by scripts/extra_suites.mjs, and under Deno; not under Bun (see
// hono_node_test.ts: `@hono/node-server` replaces Bun's global Response).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client/client.ts";
import { serveNodeApp } from "../testing/hono_node_app.ts";
import { rawAnswer, upgradeRequest } from "../testing/raw_answer.ts";

const skip = "Bun" in globalThis && "@hono/node-server replaces Bun's global Response";

test("hono on node: an upgrade whose target makes no URL gets 400, the process lives on", {
  skip,
}, async () => {
  const app = await serveNodeApp({ sessionsEnabled: false }, true);
  try {
    // @hono/node-server answers these without an upgrade with 400 as well.
    for (const target of ["http://[/ws", "//[/ws", "http://x:99999/ws"]) {
      assert.equal((await rawAnswer(app.port, upgradeRequest({ target }))).status, 400, target);
    }
    const client = new Client(app.url, { WebSocket: NodeWebSocket });
    assert.equal((await client.request("echo", "still here")).text(), "still here");
    await client.close();
  } finally {
    await app.close();
  }
});
