import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { maskedFrame } from "../testing/ws_frame.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";
import type { ProtocolViolation } from "./options.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`a client that stops reading is closed at maxSendBuffer (${adapter} adapter)`, async () => {
    const violations: ProtocolViolation[] = [];
    const disconnects: DisconnectReason[] = [];
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const running = await startServer({
      adapter,
      logger: silentLogger,
      maxSendBuffer: 1024 * 1024,
      onProtocolViolation: (_connection, violation) => void violations.push(violation),
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
      onRequest: async (request) => {
        if (request.name !== "push") return request.payload;
        // 64 MiB at most; the connection must be closed long before.
        for (let i = 0; i < 1024 && request.connection.isActive; i++) {
          request.connection.signal("chunk", chunk);
          sent++;
          if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return "done";
      },
    });
    const stalled = await stalledClient(
      running.url,
      encodeRequest({ id: requestIdFromNumber(1), name: "push" }),
    );
    try {
      await until(() => disconnects.length === 1, "the stalled client was disconnected");
      assert.equal(disconnects[0].kind, "slow-reader");
      assert.equal(disconnects[0].code, 1008);
      assert.equal(violations[0].kind, "slow-reader");
      // The limit it went past: ours, or Bun's backpressureLimit where Bun dropped a message.
      assert.match(
        violations[0].message,
        /more than (maxSendBuffer \(1048576\)|its backpressureLimit)/,
      );
      assert.ok(sent < 1024, `the server stopped pushing after ${sent} chunks`);
      const other = await RawClient.handshake(running.url);
      other.send(encodeRequest({ id: requestIdFromNumber(2), name: "echo", payload: "ok" }));
      assert.equal((await other.next()).kind, "reply");
      other.close();
    } finally {
      stalled.destroy();
      await running.close();
    }
  });
}

const cooperativeLimits = [
  { what: "its own high-water mark", limits: { sendHighWaterMark: 256 * 1024 } },
  // Half of maxSendBuffer: a fixed 1 MiB default let whenWritable pass a push at up to 1 MiB
  // queued, which the push then took over maxSendBuffer (the connection closed).
  { what: "the default high-water mark", limits: {} },
];

for (const { what, limits } of cooperativeLimits) {
  test(`a handler that awaits whenWritable keeps a slow reader's buffer bounded (${what})`, async () => {
    const disconnects: DisconnectReason[] = [];
    const chunk = new Uint8Array(64 * 1024);
    let pushed = 0;
    const running = await startServer({
      logger: silentLogger,
      ...limits,
      maxSendBuffer: 1024 * 1024,
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
      onRequest: async (request) => {
        for (let i = 0; i < 200 && request.connection.isActive; i++) {
          await request.connection.whenWritable();
          if (!request.connection.isActive) break;
          request.connection.signal("chunk", chunk);
          pushed++;
        }
        return "done";
      },
    });
    const stalled = await stalledClient(
      running.url,
      encodeRequest({ id: requestIdFromNumber(1), name: "push" }),
    );
    try {
      // The handler stalls with the reader; nothing closes the connection.
      let last = -1;
      for (let i = 0; i < 100 && pushed !== last; i++) {
        last = pushed;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      assert.ok(
        pushed > 4 && pushed < 200,
        `the handler waited for the reader (pushed ${pushed} chunks)`,
      );
      assert.deepEqual(disconnects, [], "a cooperative handler keeps its connection");
    } finally {
      stalled.destroy();
      await running.server.shutdown({ timeout: 100 });
      await running.close();
    }
  });
}

/**
 * Writes `frame` over and over, as fast as `socket` takes it, until `limit` bytes are written or
 * the socket takes nothing for a second (the peer stopped reading); returns the bytes written.
 */
async function sendUntilStalled(socket: Socket, frame: Uint8Array, limit: number): Promise<number> {
  let written = 0;
  while (written < limit && !socket.destroyed) {
    written += frame.length;
    if (socket.write(frame)) continue;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onDrain = () => {};
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => socket.once("drain", onDrain = () => resolve(true))),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 1_000)),
    ]);
    clearTimeout(timer);
    socket.off("drain", onDrain);
    if (!drained) break;
  }
  return written;
}

// The adapters that frame WebSockets themselves can stop reading; Bun's and Deno.serve's
// WebSockets read whatever arrives.
for (const adapter of adaptersOfThisRuntime.filter((a) => a === "node" || a === "deno-tcp")) {
  test(`after its close frame the server reads at most a little of a flood (${adapter} adapter)`, async () => {
    const disconnects: DisconnectReason[] = [];
    const chunk = new Uint8Array(64 * 1024);
    const running = await startServer({
      adapter,
      logger: silentLogger,
      maxSendBuffer: 1024 * 1024,
      closeTimeout: 3_000,
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
      onRequest: async (request) => {
        for (let i = 0; i < 1024 && request.connection.isActive; i++) {
          request.connection.signal("chunk", chunk);
          if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return "done";
      },
    });
    const stalled = await stalledClient(
      running.url,
      encodeRequest({ id: requestIdFromNumber(1), name: "push" }),
    );
    stalled.on("error", () => {});
    try {
      await until(() => disconnects.length === 1, "the stalled client was disconnected");
      assert.equal(disconnects[0].kind, "slow-reader");
      // The client keeps sending signals (which no handler would see any more) and never
      // answers the close. Were they read and dropped until the close deadline, 256 MiB would
      // pass in a second or two; the server stops reading after 1 MiB, and the kernel's
      // buffers (here at most 32 MiB to receive, 4 MiB to send) stop the client soon after.
      const signal = maskedFrame(encodeSignal({ name: "noise", payload: new Uint8Array(60_000) }));
      const written = await sendUntilStalled(stalled, signal, 256 * 1024 * 1024);
      assert.ok(
        written < 64 * 1024 * 1024,
        `the server stopped reading: the client got ${(written / 2 ** 20).toFixed(1)} MiB out`,
      );
    } finally {
      stalled.destroy();
      await running.close();
    }
  });
}
