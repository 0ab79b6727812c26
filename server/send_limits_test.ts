import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveLimits, Server } from "../server.ts";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

test("sendHighWaterMark defaults to 1 MiB, or half of a smaller maxSendBuffer", () => {
  assert.equal(resolveLimits({}).sendHighWaterMark, 1024 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 64 * 1024 * 1024 }).sendHighWaterMark, 1024 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 256 * 1024 }).sendHighWaterMark, 128 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 1 }).sendHighWaterMark, 1);
  // A bad maxSendBuffer is still reported as such, not as a bad high-water mark.
  assert.throws(() => resolveLimits({ maxSendBuffer: 0 }), /maxSendBuffer must be/);
  assert.throws(() => resolveLimits({ maxSendBuffer: Number.NaN }), /maxSendBuffer must be/);
});

test("a sendHighWaterMark above maxSendBuffer is refused with both figures", () => {
  assert.throws(
    () => new Server({ maxSendBuffer: 1024, sendHighWaterMark: 1025 }),
    (error) =>
      error instanceof RangeError && /at most maxSendBuffer \(1024\), got 1025/.test(error.message),
  );
  assert.equal(
    resolveLimits({ maxSendBuffer: 1024, sendHighWaterMark: 1024 }).sendHighWaterMark,
    1024,
  );
});

test("with maxSendBuffer alone, a handler awaiting whenWritable keeps its slow reader", async () => {
  // With a fixed 1 MiB high-water mark, whenWritable let a 64 KiB push through at up to 1 MiB
  // queued, which the next send took over maxSendBuffer: the documented pattern closed the
  // connection as a slow reader.
  const disconnects: DisconnectReason[] = [];
  const chunk = new Uint8Array(64 * 1024);
  let pushed = 0;
  const running = await startServer({
    logger: silentLogger,
    maxSendBuffer: 1024 * 1024,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    onRequest: async (request) => {
      for (let i = 0; i < 400 && request.connection.isActive; i++) {
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
    let last = -1;
    for (let i = 0; i < 100 && pushed !== last; i++) {
      last = pushed;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(pushed < 400, `the handler waited for the reader (pushed ${pushed} chunks)`);
    assert.deepEqual(disconnects, [], "a cooperative handler keeps its connection");
  } finally {
    stalled.destroy();
    await running.server.shutdown({ timeout: 100 });
    await running.close();
  }
});
