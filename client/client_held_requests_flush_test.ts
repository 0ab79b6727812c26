// Requests held while the client is disconnected go out on the next connection without
// tripping the server's flood limit (`maxPendingMessages`, 4096 by default): the client keeps
// at most `maxRequestsInFlight` (1024 by default) awaiting their replies, the rest follow as
// replies come, oldest first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import type { Payload } from "../protocol/payload.ts";
import { startServer } from "../testing/serve.ts";
import { stablePort } from "../testing/stable_port.ts";
import { Client } from "./client.ts";
import { NotSentError } from "./errors.ts";

test("10 000 requests held while disconnected all get their replies from a default server", async () => {
  const port = await stablePort();
  const disconnects: string[] = [];
  let concurrent = 0;
  let mostConcurrent = 0;
  const client = new Client(`ws://127.0.0.1:${port}/`, {
    logger: silentLogger,
    reconnect: { initialDelay: 20, maxDelay: 50 },
  });
  const replies: Promise<Payload>[] = [];
  for (let i = 0; i < 10_000; i++) replies.push(client.request("echo", String(i)));
  const running = await startServer({
    port,
    logger: silentLogger,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason.kind),
    onRequest: async ({ payload }) => {
      mostConcurrent = Math.max(mostConcurrent, ++concurrent);
      await new Promise((resolve) => setTimeout(resolve, 5)); // handlers overlap
      concurrent--;
      return payload;
    },
  });
  try {
    const settled = await Promise.allSettled(replies);
    const failed = settled.filter((outcome) => outcome.status === "rejected");
    assert.equal(
      failed.length,
      0,
      `${failed.length} failed, e.g. ${
        String((failed[0] as PromiseRejectedResult | undefined)?.reason)
      }`,
    );
    settled.forEach((outcome, i) => {
      assert.equal((outcome as PromiseFulfilledResult<Payload>).value.text(), String(i));
    });
    assert.deepEqual(disconnects, []);
    assert.ok(mostConcurrent <= 1024, `${mostConcurrent} requests in handlers at once`);
  } finally {
    await client.close();
    await running.close();
  }
});

test("maxRequestsInFlight bounds the requests awaiting replies, also while connected", async () => {
  let concurrent = 0;
  let mostConcurrent = 0;
  const running = await startServer({
    logger: silentLogger,
    onRequest: async ({ payload }) => {
      mostConcurrent = Math.max(mostConcurrent, ++concurrent);
      await new Promise((resolve) => setTimeout(resolve, 2));
      concurrent--;
      return payload;
    },
  });
  const client = new Client(running.url, { logger: silentLogger, maxRequestsInFlight: 4 });
  try {
    await client.connect();
    const replies: Promise<Payload>[] = [];
    for (let i = 0; i < 50; i++) replies.push(client.request("echo", String(i)));
    assert.deepEqual(
      (await Promise.all(replies)).map((reply) => reply.text()),
      replies.map((_, i) => String(i)),
    );
    assert.ok(mostConcurrent <= 4 && mostConcurrent > 1, `${mostConcurrent} at once`);
  } finally {
    await client.close();
    await running.close();
  }
});

test("a request held back by maxRequestsInFlight while connected times out naming the slots, not a connection", async () => {
  const running = await startServer({
    logger: silentLogger,
    onRequest: async ({ payload }) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return payload;
    },
  });
  const client = new Client(running.url, { logger: silentLogger, maxRequestsInFlight: 1 });
  try {
    await client.connect();
    const first = client.request("echo", "first");
    first.catch(() => {}); // awaited below; closed early should an assertion fail first
    const error = await client.request("echo", "held", { timeout: 50 }).catch((e) => e);
    assert.ok(error instanceof NotSentError, String(error));
    assert.equal(error.waitedFor, "slot");
    assert.match(error.message, /no free slot within 50 ms .*1 requests, the maxRequestsInFlight/);
    assert.doesNotMatch(error.message, /not connected/);
    assert.equal(client.status, "connected");
    assert.equal((await first).text(), "first");
  } finally {
    await client.close();
    await running.close();
  }
});

test("maxRequestsInFlight: a whole number ≥ 1 or Infinity, anything else a RangeError", () => {
  for (const bad of [0, -1, 1.5, NaN, "8" as unknown as number]) {
    assert.throws(() => new Client("ws://127.0.0.1:1/", { maxRequestsInFlight: bad }), RangeError);
  }
  for (const good of [1, 4096, Infinity]) {
    new Client("ws://127.0.0.1:1/", { maxRequestsInFlight: good });
  }
});
