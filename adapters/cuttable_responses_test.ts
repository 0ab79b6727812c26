// The bodies serveDeno tracks so that close() can end them: one there at once keeps its length
// (no tracking), one that fails or is canceled is no longer tracked, endAll cancels the source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CuttableResponses } from "./cuttable_responses.ts";

test("a body all there at once goes as bytes of known length, untracked", async () => {
  const responses = new CuttableResponses();
  const page = await responses.track(
    new Response("<h1>chat</h1>", { status: 201, headers: { "content-type": "text/html" } }),
  );
  assert.equal(responses.size, 0);
  assert.equal(page.status, 201);
  assert.equal(page.headers.get("content-type"), "text/html");
  assert.equal(await page.text(), "<h1>chat</h1>");
});

test("a body that fails, or is canceled by the client, is no longer tracked", async () => {
  const responses = new CuttableResponses();
  let pulls = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (++pulls === 2) throw new Error("the source broke");
      controller.enqueue(new Uint8Array([1]));
    },
  });
  const broken = await responses.track(new Response(failing));
  assert.equal(responses.size, 1);
  await assert.rejects(broken.arrayBuffer(), /the source broke/);
  assert.equal(responses.size, 0);
  const waiting = await responses.track(
    new Response(new ReadableStream({ pull: () => new Promise(() => {}) })),
  );
  assert.equal(responses.size, 1);
  await waiting.body!.cancel();
  assert.equal(responses.size, 0);
});

test("endAll ends each body where it is and cancels its source", async () => {
  const responses = new CuttableResponses();
  let canceled: unknown;
  let sent = 0;
  const events = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      // The first event after 20 ms, then none.
      await (sent === 0
        ? new Promise((resolve) => setTimeout(resolve, 20))
        : new Promise(() => {}));
      controller.enqueue(new TextEncoder().encode(`data: ${++sent}\n\n`));
    },
    cancel: (reason) => void (canceled = reason),
  });
  const response = await responses.track(new Response(events));
  const reading = response.text();
  await new Promise((resolve) => setTimeout(resolve, 60));
  responses.endAll();
  assert.equal(await reading, "data: 1\n\n");
  assert.equal(canceled, "the server closed");
  assert.equal(responses.size, 0);
});

test("a source that fails after more than 64 KiB, its body not yet read, does not crash", async () => {
  const responses = new CuttableResponses();
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (++sent <= 2) return controller.enqueue(new Uint8Array(40_000));
      await new Promise((resolve) => setTimeout(resolve, 10)); // later than at once
      throw new Error("disk read failed");
    },
  });
  const response = await responses.track(new Response(source));
  await new Promise((resolve) => setTimeout(resolve, 50)); // an unhandled rejection would end the run
  await assert.rejects(response.arrayBuffer(), /disk read failed/);
  assert.equal(responses.size, 0);
});

test("a source that fails at once after more than 64 KiB is a failure of track (a 500)", async () => {
  const responses = new CuttableResponses();
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (++sent > 2) throw new Error("disk read failed");
      controller.enqueue(new Uint8Array(40_000));
    },
  });
  await assert.rejects(responses.track(new Response(source)), /disk read failed/);
  assert.equal(responses.size, 0);
});

test("a body made in memory keeps its length whatever its size; a long stream does not", async () => {
  const responses = new CuttableResponses();
  const page = await responses.track(new Response("x".repeat(1 << 20), { status: 201 }));
  assert.equal(page.status, 201);
  assert.equal(responses.size, 0, "not tracked: it is all there");
  assert.equal((await page.text()).length, 1 << 20);
  let pulls = 0;
  const file = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (++pulls > 64) return controller.close(); // 4 MiB in 64 KiB reads, each at once
      controller.enqueue(new Uint8Array(65536).fill(pulls));
    },
  }, { highWaterMark: 0 });
  const streamed = await responses.track(new Response(file));
  assert.ok(pulls <= 3, `${pulls} reads before the head: at most 64 KiB and two chunks ahead`);
  assert.equal(responses.size, 1, "tracked: streamed as it is read");
  assert.equal((await streamed.arrayBuffer()).byteLength, 64 * 65536);
  assert.equal(responses.size, 0);
});
