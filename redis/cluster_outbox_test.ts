import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterOutbox } from "./cluster_outbox.ts";

/** An outbox whose sends are recorded and settled by the test. */
function recordingOutbox(limits?: { maxItems: number; maxBytes: number }) {
  const batches: number[][] = [];
  const settles: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const outbox = new ClusterOutbox<number>((batch) => {
    batches.push([...batch]);
    return new Promise<void>((resolve, reject) => settles.push({ resolve, reject }));
  }, limits);
  return { outbox, batches, settles };
}

test("what is added in one turn goes out as one batch, in order, before any I/O or timer", async () => {
  const { outbox, batches, settles } = recordingOutbox();
  const promises = [1, 2, 3].map((n) => outbox.add(n, 10));
  assert.deepEqual(batches, [], "nothing is sent synchronously");
  const seenByTimer = await new Promise((resolve) => setTimeout(() => resolve(batches.length)));
  assert.equal(seenByTimer, 1);
  assert.deepEqual(batches, [[1, 2, 3]]);
  outbox.add(4, 10);
  await Promise.resolve();
  assert.deepEqual(batches, [[1, 2, 3], [4]], "a later turn: a batch of its own");
  for (const settle of settles) settle.resolve();
  await Promise.all(promises);
});

test("a full batch goes out at once; a single large item is a batch of its own", async () => {
  const { outbox, batches, settles } = recordingOutbox({ maxItems: 3, maxBytes: 100 });
  for (let n = 1; n <= 7; n++) outbox.add(n, 10);
  assert.deepEqual(batches, [[1, 2, 3], [4, 5, 6]], "sent when the next item did not fit");
  await Promise.resolve();
  assert.deepEqual(batches.at(-1), [7]);
  batches.length = 0;
  outbox.add(1, 60);
  outbox.add(2, 60); // 120 bytes would not fit
  outbox.add(3, 500); // larger than the limit: alone
  outbox.add(4, 1);
  await Promise.resolve();
  assert.deepEqual(batches, [[1], [2], [3], [4]]);
  for (const settle of settles) settle.resolve();
});

test("a failed send rejects every item of its batch and no other", async () => {
  const { outbox, settles } = recordingOutbox({ maxItems: 2, maxBytes: 100 });
  const items = [1, 2, 3].map((n) => outbox.add(n, 1));
  await Promise.resolve();
  settles[0].reject(new Error("Redis is away"));
  settles[1].resolve();
  const outcomes = await Promise.allSettled(items);
  assert.deepEqual(outcomes.map((o) => o.status), ["rejected", "rejected", "fulfilled"]);

  const throwing = new ClusterOutbox<number>(() => {
    throw new Error("thrown, not returned");
  });
  await assert.rejects(throwing.add(1, 1), /thrown, not returned/);
});

test("a send that names failed items rejects those alone, each with its own error", async () => {
  const refused = new Error("WRONGTYPE");
  const outbox = new ClusterOutbox<string>((batch) =>
    Promise.resolve(new Map([[batch.indexOf("b"), refused]]))
  );
  const results = await Promise.allSettled(["a", "b", "c"].map((item) => outbox.add(item, 1)));
  assert.deepEqual(results.map((result) => result.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.equal((results[1] as PromiseRejectedResult).reason, refused);
});

test("flush sends the open batch at once; its microtask then sends nothing more", async () => {
  const { outbox, batches, settles } = recordingOutbox();
  outbox.add(1, 1);
  outbox.add(2, 1);
  outbox.flush();
  assert.deepEqual(batches, [[1, 2]], "sent synchronously");
  outbox.add(3, 1);
  outbox.flush();
  outbox.flush(); // nothing open: nothing sent
  await Promise.resolve();
  assert.deepEqual(batches, [[1, 2], [3]]);
  for (const settle of settles) settle.resolve();
});
