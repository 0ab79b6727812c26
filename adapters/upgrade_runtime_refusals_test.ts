// What docs/server.md says the runtimes' own HTTP servers decide about an upgrade before (or
// instead of) the adapters' handshake check, over real sockets: `Deno.serve` refuses an upgrade
// that declares a body (a `content-length`, even 0, or a `transfer-encoding`) with a bare 400
// before `beforeUpgrade` runs, whatever its method, while a POST without them reaches the check
// (405); an upgrade over HTTP/1.0 is refused (400) where the adapter reads the request line
// (serveNode, serveDenoTcp) and taken where the runtime parses it (`Deno.serve`, `Bun.serve`,
// and Hono on them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { listeningAdapters } from "../testing/listening_adapters.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { serveWith } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const upgradeHeaders = "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

/** A server that counts its `beforeUpgrade` calls and its connections. */
function countingServer() {
  const counts = { beforeUpgrade: 0, connected: 0 };
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    beforeUpgrade: () => void counts.beforeUpgrade++,
    onClientConnected: () => void counts.connected++,
  });
  return { server, counts };
}

/** Writes `request` on a new connection and returns the status line of the answer. */
async function statusLine(port: number, request: string): Promise<string> {
  const peer = await RawHttpPeer.connect(port);
  try {
    peer.write(request);
    await until(() => peer.closed || peer.text.includes("\r\n\r\n"), "the server's answer");
    return peer.text.slice(0, peer.text.indexOf("\r\n"));
  } finally {
    peer.destroy();
  }
}

const takesHttp10 = (adapter: string) => adapter !== "node" && adapter !== "deno-tcp";
const hono = {
  name: "hono",
  serve: (server: Server, _options: { path: string }) => serveWith(server, "hono"),
};

for (const { name, serve } of [...listeningAdapters, hono]) {
  test(`${name}: an upgrade over HTTP/1.0 is ${takesHttp10(name) ? "taken" : "refused"}`, async () => {
    const { server, counts } = countingServer();
    const running = await serve(server, { path: "/ws" });
    try {
      const target = new URL(running.url).pathname;
      const status = await statusLine(
        running.port,
        `GET ${target} HTTP/1.0\r\n${upgradeHeaders}\r\n`,
      );
      if (takesHttp10(name)) {
        assert.match(status, /^HTTP\/1\.[01] 101 /);
        await until(() => counts.connected === 1, "the HTTP/1.0 upgrade connected");
      } else {
        assert.equal(status, "HTTP/1.1 400 Bad Request");
        assert.equal(counts.connected, 0);
      }
    } finally {
      await running.close();
    }
  });
}

const deno = listeningAdapters.find(({ name }) => name === "deno");
if (deno !== undefined) {
  test("deno: Deno.serve refuses an upgrade that declares a body, before beforeUpgrade", async () => {
    const { server, counts } = countingServer();
    const running = await deno.serve(server, { path: "/ws" });
    try {
      for (const method of ["GET", "POST"]) {
        for (const framing of ["Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n"]) {
          const body = framing.startsWith("Transfer") ? "0\r\n\r\n" : "";
          const request = `${method} /ws HTTP/1.1\r\n${upgradeHeaders}${framing}\r\n${body}`;
          assert.equal(await statusLine(running.port, request), "HTTP/1.1 400 Bad Request");
        }
      }
      assert.equal(counts.beforeUpgrade, 0);
      // A POST without them reaches beforeUpgrade and the adapter's check.
      const post = `POST /ws HTTP/1.1\r\n${upgradeHeaders}\r\n`;
      assert.equal(await statusLine(running.port, post), "HTTP/1.1 405 Method Not Allowed");
      assert.equal(counts.beforeUpgrade, 1);
      assert.equal(counts.connected, 0);
    } finally {
      await running.close();
    }
  });
}
