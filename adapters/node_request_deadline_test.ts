// The first-request deadline of serveNode (node_request_deadline.ts) on a `node:http` server of
// its own, over real sockets: a timer per connection until its first request, upgrade or close,
// none left behind. Runs under Deno and Bun (their `node:http`); node_framing_test.ts runs
// serveNode's deadline under Node too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { until } from "../testing/until.ts";
import { FirstRequestDeadline } from "./node_request_deadline.ts";

test("one timer per connection until its first request, upgrade or close", async () => {
  const http = createServer((_request, response) => response.end("hi"));
  http.on("upgrade", (_request, socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
  const deadline = new FirstRequestDeadline(http, 60_000);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  const peers: RawHttpPeer[] = [];
  try {
    const connect = async () => {
      const peer = await RawHttpPeer.connect(port);
      peers.push(peer);
      return peer;
    };
    const [asking, upgrading, leaving, silent] = [
      await connect(),
      await connect(),
      await connect(),
      await connect(),
    ];
    // Bun's `node:http` reports a connection that sends nothing about a second late.
    await until(() => deadline.waiting === 4, "four connections waiting", 5000);
    asking.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    upgrading.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n");
    leaving.destroy();
    await until(() => deadline.waiting === 1, "only the silent connection waiting");
    assert.equal(asking.closed || silent.closed, false);
    deadline.dropWaiting();
    assert.equal(deadline.waiting, 0);
    await until(() => silent.closed, "the silent connection dropped");
    assert.equal(asking.closed, false, "a connection past its first request is left alone");
  } finally {
    for (const peer of peers) peer.destroy();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});
