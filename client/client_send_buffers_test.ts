// The bytes of each request stay as encoded until the socket writes them: requests are cut
// from a shared slab, never from a reused buffer, so a socket that keeps them and sends them
// later (as `ws` does while compressing) still puts each request on the wire as it was made.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { testRequestHandler } from "../testing/client_support.ts";
import { DeferredSendWebSocket } from "../testing/deferred_send_websocket.ts";
import { Client } from "./client.ts";

/** Request `n`'s payload: its length and content both say `n`. */
function payloadOf(n: number): Uint8Array {
  return new Uint8Array(1 + n % 53).fill(n & 0xff);
}

describe("request bytes on a socket that sends them later", () => {
  let running: StartedServer;

  before(async () => {
    running = await startServer({ port: 0, logger: silentLogger, onRequest: testRequestHandler });
  });
  after(async () => {
    await running.close();
  });

  it("a burst of requests, held by the socket, reaches the server as made", async () => {
    const client = new Client(running.url, {
      WebSocket: DeferredSendWebSocket,
      logger: silentLogger,
      requestTimeout: 5000,
    });
    try {
      await client.connect();
      // More requests than fit in one slab, so that a slab is also replaced during the burst;
      // every one is encoded before the socket sends the first.
      const count = 1000;
      const replies = Array.from(
        { length: count },
        (_, n) => client.request(n % 2 === 0 ? "binary" : "echo", payloadOf(n)),
      );
      const settled = await Promise.all(replies);
      settled.forEach((reply, n) => assert.deepEqual(reply.bytes, payloadOf(n), `request ${n}`));
    } finally {
      await client.close();
    }
  });

  it("requests queued while connecting go out as made", async () => {
    const client = new Client(running.url, {
      WebSocket: DeferredSendWebSocket,
      logger: silentLogger,
      requestTimeout: 5000,
    });
    try {
      const replies = Array.from({ length: 50 }, (_, n) => client.request("echo", payloadOf(n)));
      const settled = await Promise.all(replies);
      settled.forEach((reply, n) => assert.deepEqual(reply.bytes, payloadOf(n), `request ${n}`));
    } finally {
      await client.close();
    }
  });
});
