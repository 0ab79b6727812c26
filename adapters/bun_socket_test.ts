// What `BunSocketTransport.copiesOnSend` promises the core, checked against the runtime: Bun's
// `sendBinary` has written or queued a copy of a view's bytes when it returns, so bytes changed
// right after the send (the core's scratch buffer written again) cannot reach the peer, also
// when the message waits behind others (backpressure). Bun only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type BunSocketLike, BunSocketTransport } from "./bun_socket.ts";

const messages = 500;

/** Message `n`'s bytes: its length and content both say `n`. */
function bytesOf(n: number): Uint8Array {
  return new Uint8Array(1 + n % 97).fill(n & 0xff);
}

interface BunServer {
  port: number;
  stop(closeActive?: boolean): void;
}

interface BunGlobal {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: { open(ws: BunSocketLike): void; message(): void };
  }): BunServer;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;

if (bun !== undefined) {
  test("bun socket: bytes overwritten right after each send reach the peer as sent", async () => {
    const server = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request, http) =>
        http.upgrade(request) ? undefined : new Response("expected an upgrade", { status: 426 }),
      websocket: {
        open(ws) {
          const transport = new BunSocketTransport(ws);
          assert.equal(transport.copiesOnSend, true);
          // A large message first, so that the small ones queue behind it.
          const large = new Uint8Array(1 << 20).fill(7);
          transport.send(large);
          large.fill(9);
          const region = new Uint8Array(256);
          for (let n = 0; n < messages; n++) {
            const view = region.subarray(n % 100, n % 100 + bytesOf(n).length);
            view.set(bytesOf(n));
            transport.send(view);
            region.fill(0xee);
          }
        },
        message() {},
      },
    });
    try {
      const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
      client.binaryType = "arraybuffer";
      const received: Uint8Array[] = [];
      await new Promise<void>((resolve, reject) => {
        client.onerror = () => reject(new Error("client socket failed"));
        client.onmessage = (event) => {
          received.push(new Uint8Array(event.data as ArrayBuffer));
          if (received.length === messages + 1) resolve();
        };
      });
      assert.ok(received[0].every((byte) => byte === 7), "the large message changed");
      for (let n = 0; n < messages; n++) {
        assert.deepEqual(received[n + 1], bytesOf(n), `message ${n}`);
      }
      const closed = new Promise((resolve) => client.onclose = resolve);
      client.close();
      await closed;
    } finally {
      server.stop(true);
    }
  });
}
