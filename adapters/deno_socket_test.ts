// What `DenoSocketTransport.copiesOnSend` promises the core, checked against the runtime: Deno's
// `WebSocket.send` has copied a view's bytes when it returns, so bytes changed right after the
// send (the core's scratch buffer written again) cannot reach the peer. Deno only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DenoSocketTransport } from "./deno_socket.ts";

const messages = 500;

/** Message `n`'s bytes: its length and content both say `n`. */
function bytesOf(n: number): Uint8Array {
  return new Uint8Array(1 + n % 97).fill(n & 0xff);
}

if ("Deno" in globalThis) {
  test("deno socket: bytes overwritten right after each send reach the peer as sent", async () => {
    const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      const transport = new DenoSocketTransport(socket);
      assert.equal(transport.copiesOnSend, true);
      socket.onopen = () => {
        // One shared region, as the core's scratch buffer is: every message is written into it, sent, and
        // the region overwritten at once; and one large message, sent in a burst with them.
        const region = new Uint8Array(256);
        for (let n = 0; n < messages; n++) {
          const view = region.subarray(n % 100, n % 100 + bytesOf(n).length);
          view.set(bytesOf(n));
          transport.send(view);
          region.fill(0xee);
        }
        const large = new Uint8Array(1 << 20).fill(7);
        transport.send(large);
        large.fill(9);
      };
      return response;
    });
    try {
      const client = new WebSocket(`ws://127.0.0.1:${http.addr.port}/`);
      client.binaryType = "arraybuffer";
      const received: Uint8Array[] = [];
      await new Promise<void>((resolve, reject) => {
        client.onerror = () => reject(new Error("client socket failed"));
        client.onmessage = (event) => {
          received.push(new Uint8Array(event.data as ArrayBuffer));
          if (received.length === messages + 1) resolve();
        };
      });
      for (let n = 0; n < messages; n++) assert.deepEqual(received[n], bytesOf(n), `message ${n}`);
      assert.ok(received[messages].every((byte) => byte === 7), "the large message changed");
      const closed = new Promise((resolve) => client.onclose = resolve);
      client.close();
      await closed;
    } finally {
      await http.shutdown();
    }
  });
}
