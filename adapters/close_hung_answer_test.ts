// `running.close()` with an answer that never comes: a fallback that never returns its response
// (a long poll waiting for an event), or a `beforeUpgrade` that never decides (an auth service
// that hangs). The close gives it the grace that responses still streaming get (2 s), then ends
// it, as serveDenoTcp does and serveBun at once; serveDeno and serveNode used to wait for good
// (`Deno.serve`'s `shutdown` waits for every handler; `node:http`'s `close` for the upgrade's
// socket, which `closeAllConnections` does not reach).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { listeningAdapters } from "../testing/listening_adapters.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { until } from "../testing/until.ts";

const upgradeHeaders =
  "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

const requests = {
  "a fallback": "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n",
  "beforeUpgrade": `GET /ws HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`,
  "a fallback answering an upgrade": `GET /poll HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`,
};

for (const { name, serve } of listeningAdapters) {
  for (const [hung, request] of Object.entries(requests)) {
    test(`${name}: close() ends ${hung} that never answers`, async () => {
      let asked = 0;
      const never = () => {
        asked++;
        return new Promise<never>(() => {});
      };
      const server = new Server({
        sessionManager: new MemorySessionManager(),
        beforeUpgrade: never,
      });
      const running = await serve(server, { path: "/ws", fallback: never });
      const peer = await RawHttpPeer.connect(running.port);
      try {
        peer.write(request);
        await until(() => asked === 1, "the hook runs");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stuck = new Promise<"stuck">((resolve) => timer = setTimeout(resolve, 8000, "stuck"));
        const outcome = await Promise.race([running.close().then(() => "closed" as const), stuck]);
        clearTimeout(timer);
        assert.equal(outcome, "closed", "close() resolved");
        // The client hears that the server is going (503), or sees its connection end.
        await until(() => peer.closed || peer.text.startsWith("HTTP/1.1 503"), "the answer ends");
      } finally {
        peer.destroy();
      }
    });
  }
}
