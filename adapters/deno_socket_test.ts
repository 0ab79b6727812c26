// What `DenoSocketTransport.copiesOnSend` promises the core, checked against the runtime: Deno's
// `WebSocket.send` has copied a view's bytes when it returns, so bytes changed right after the
// send (the core's scratch buffer written again) cannot reach the peer. And what its
// `bufferedAmount` counts for a client that does not read. Deno only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import { fileURLToPath } from "node:url";
import { until } from "../testing/until.ts";
import { DenoSocketTransport, queuedMessageCost } from "./deno_socket.ts";

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

if ("Deno" in globalThis) {
  test("deno socket: bufferedAmount counts what each queued message costs, until written", async () => {
    // Deno's own bufferedAmount counts a message's bytes only, but it holds about 1 KB for each
    // one queued: a client that reads nothing must not cost 45 times the send limit.
    let transport: DenoSocketTransport | undefined;
    let raw: WebSocket | undefined;
    const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
      socket.onopen = () => [raw, transport] = [socket, new DenoSocketTransport(socket)];
      return response;
    });
    const peer = await stalledClient(`ws://127.0.0.1:${http.addr.port}/`, new Uint8Array(0));
    try {
      await until(() => transport !== undefined, "the socket opened");
      const tiny = new Uint8Array([64, 0, 120]); // a signal with a 1-byte payload
      // Until the kernel's buffers are full and Deno queues them.
      while (raw!.bufferedAmount === 0) {
        for (let i = 0; i < 1000; i++) transport!.send(tiny);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await new Promise((resolve) => setTimeout(resolve, 0)); // a turn later
      const queuedBytes = raw!.bufferedAmount;
      const queuedMessages = queuedBytes / tiny.length;
      assert.ok(queuedMessages >= 1, `${queuedMessages} queued`);
      assert.equal(transport!.bufferedAmount, queuedBytes + queuedMessages * queuedMessageCost);
      // A burst in one turn counts by its bytes until Deno has had a turn to write it.
      for (let i = 0; i < 1000; i++) transport!.send(tiny);
      const withBurst = queuedBytes + 1000 * tiny.length;
      assert.equal(raw!.bufferedAmount, withBurst);
      assert.equal(transport!.bufferedAmount, withBurst + queuedMessages * queuedMessageCost);
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.equal(
        transport!.bufferedAmount,
        withBurst + (queuedMessages + 1000) * queuedMessageCost,
      );
      peer.resume(); // it reads now: everything is written, and nothing is counted any more
      await until(() => raw!.bufferedAmount === 0, "written", 10_000);
      assert.equal(transport!.bufferedAmount, 0);
      transport!.send(tiny);
      assert.ok(transport!.bufferedAmount <= tiny.length + queuedMessageCost);
    } finally {
      peer.destroy();
      await http.shutdown();
    }
  });

  test("deno adapter: a restore's burst of kept signals reaches a client that reads", async () => {
    // 256 kept signals of 1 byte, sent at once after the restore reply: their bytes are far
    // under maxSendBuffer, though 256 queued messages would cost more than it.
    const kept = 256;
    const disconnected: string[] = [];
    const running = await startServer({
      logger: silentLogger,
      maxSendBuffer: 256 * 1024,
      offlineSignals: { maxCount: kept },
      onRequest: async ({ connection }) => void await connection.createSession({}),
      onClientDisconnected: (_connection, reason) => void disconnected.push(reason.kind),
    });
    const first = await RawClient.handshake(running.url);
    const { key } = await rawLogin(first, "ada");
    first.close();
    await until(() => running.server.connectionCount === 0, "the session is held by nobody");
    for (let i = 0; i < kept; i++) running.server.signalSession(key, "", "x");
    const second = await RawClient.handshake(running.url);
    try {
      assert.equal(await rawRestore(second, key), "reply");
      for (let i = 0; i < kept; i++) assert.equal((await second.next()).kind, "signal", `#${i}`);
      assert.deepEqual(disconnected, ["client-closed"]);
    } finally {
      second.close();
      await running.close();
    }
  });

  test("deno adapter: a client that reads nothing under tiny signals is closed within bounds", async () => {
    // In a process of its own: its memory is what is measured.
    const script = fileURLToPath(
      new URL("../testing/stalled_broadcast_memory.ts", import.meta.url),
    );
    const run = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script],
      stderr: "inherit",
    });
    const { code, stdout } = await run.output();
    assert.equal(code, 0);
    const result = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
    assert.deepEqual(result.reasons, ["slow-reader"], `${result.broadcasts} broadcasts`);
    // Before, Deno held about 1 KB for each of the million or so 3-byte messages queued
    // past the kernel's buffers before their bytes alone passed 1 MiB: over 300 MiB.
    assert.ok(result.grownMiB < 150, `the server grew by ${result.grownMiB} MiB`);
  });
}
