// The Hono adapter on Node: an upgrade request whose target makes no URL. `injectWebSocket` of
// `@hono/node-ws` makes a URL of it in an async listener, and the rejection would end the process.
// Run under Node by scripts/extra_suites.mjs, and under Deno; not under Bun (see
// hono_node_test.ts: `@hono/node-server` replaces Bun's global Response).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client/client.ts";
import { serveNodeApp } from "../testing/hono_node_app.ts";

const skip = "Bun" in globalThis && "@hono/node-server replaces Bun's global Response";

/** Sends an upgrade request for `target`; resolves to the status line of the answer. */
function upgradeStatus(port: number, target: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => answer += chunk);
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer.split("\r\n")[0]));
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  });
}

test("hono on node: an upgrade whose target makes no URL gets 400, the process lives on", {
  skip,
}, async () => {
  const app = await serveNodeApp({ sessionsEnabled: false }, true);
  try {
    // @hono/node-server answers these without an upgrade with 400 as well.
    for (const target of ["http://[/ws", "//[/ws", "http://x:99999/ws"]) {
      assert.match(await upgradeStatus(app.port, target), /^HTTP\/1\.1 400 /, target);
    }
    const client = new Client(app.url, { WebSocket: NodeWebSocket });
    assert.equal((await client.request("echo", "still here")).text(), "still here");
    await client.close();
  } finally {
    await app.close();
  }
});
