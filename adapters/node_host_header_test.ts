// The Node adapter and the Host header (RFC 9112, 3.2): an HTTP/1.1 request names exactly one
// Host, or gets 400. `node:http` hands an upgrade to the `upgrade` listener before its own Host
// check, and keeps only the first of two Host headers (a `beforeUpgrade` or fallback would read
// the first while a proxy in front routed by the other); `serveDenoTcp` refuses both. Runs under
// Deno and Bun (their `node:http`), and under Node after scripts/extra_suites.mjs bundled it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { rawAnswer } from "../testing/raw_answer.ts";
import { serveNode } from "./node.ts";

const upgradeLines = "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

test("node: an upgrade without a Host, or with two, gets 400 and never connects", async () => {
  let connected = 0;
  const asked: string[] = [];
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    beforeUpgrade: (request) => void asked.push(new URL(request.url).host),
    onClientConnected: () => void connected++,
  });
  const running = await serveNode(server, {
    port: 0,
    path: "/ws",
    fallback: (request) => new Response(`page for ${new URL(request.url).host}`),
  });
  try {
    const answer = async (hosts: string, target = "/ws", upgrade = true) => {
      const request = `GET ${target} HTTP/1.1\r\n${hosts}${upgrade ? upgradeLines : ""}\r\n`;
      const { status, body } = await rawAnswer(running.port, request);
      return status === 101 ? "101" : `${status} ${body}`;
    };
    assert.equal(await answer("Host: a\r\n"), "101", "one Host: upgraded");
    assert.equal(await answer(""), "400 one Host header field needed\n");
    assert.equal(await answer("Host: a\r\nHost: b\r\n"), "400 one Host header field needed\n");
    // Off the endpoint, an upgrade gets the fallback's answer: not with two hosts.
    assert.equal(await answer("Host: a\r\n", "/page"), "200 page for a");
    assert.equal(
      await answer("Host: a\r\nHost: b\r\n", "/page"),
      "400 one Host header field needed\n",
    );
    // A plain request to the fallback, and to the endpoint, with two hosts.
    assert.equal(
      await answer("Host: a\r\nHost: b\r\n", "/page", false),
      "400 one Host header field needed\n",
    );
    assert.equal(
      await answer("Host: a\r\nHost: b\r\n", "/ws", false),
      "400 one Host header field needed\n",
    );
    assert.deepEqual(asked, ["a"], "beforeUpgrade saw only the request with one Host");
    assert.equal(connected, 1);
  } finally {
    await running.close();
  }
});
