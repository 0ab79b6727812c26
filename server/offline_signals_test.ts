import { test } from "node:test";
import assert from "node:assert/strict";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { type OfflineDropReason, offlineLimitsUnder, OfflineSignals } from "./offline_signals.ts";
import { Server } from "./server.ts";

function clocked(limits: ConstructorParameters<typeof OfflineSignals>[0]) {
  let now = 1_000_000;
  const drops: [string, OfflineDropReason][] = [];
  const store = new OfflineSignals(limits, (key, reason) => drops.push([key, reason]), () => now);
  return { store, drops, advance: (ms: number) => void (now += ms) };
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

test("kept signals come back in order, once", () => {
  const { store } = clocked({});
  for (let i = 1; i <= 3; i++) store.keep("k", bytes(1, i));
  assert.deepEqual(store.take("k").map((b) => b[0]), [1, 2, 3]);
  assert.deepEqual(store.take("k"), []);
  assert.equal(store.sessionCount, 0);
  assert.equal(store.totalBytes, 0);
  store.stop();
});

test("signals older than maxAge are dropped when taken, and on the way of any keep", () => {
  const { store, drops, advance } = clocked({ maxAge: 1000 });
  store.keep("old", bytes(10));
  advance(600);
  store.keep("k", bytes(1, 1));
  advance(600); // "old" is 1 200 ms old, the first of "k" 600 ms
  store.keep("k", bytes(1, 2)); // drops "old" on the way
  assert.deepEqual(drops, [["old", "age"]]);
  assert.equal(store.sessionCount, 1);
  advance(500);
  assert.deepEqual(store.take("k").map((b) => b[0]), [2]);
  assert.deepEqual(drops.at(-1), ["k", "age"]);
  store.stop();
});

/** What one session with one 40-byte signal counts: the bytes, 288 per signal, 256 + its key. */
const sessionOf40 = 40 + 288 + 256 + 1;

test("the total bound drops the oldest signals first, whichever session they are for", () => {
  const { store, drops } = clocked({ maxTotalBytes: 3 * sessionOf40 - 1 });
  store.keep("a", bytes(40));
  store.keep("b", bytes(40));
  store.keep("c", bytes(40));
  assert.deepEqual(drops, [["a", "total-bytes"]]);
  assert.equal(store.totalBytes, 2 * sessionOf40);
  assert.equal(store.take("a").length, 0);
  assert.equal(store.dropped, 1);
  store.stop();
});

test("an old signal of a quiet session ages out before a busy session's fresh ones are dropped", () => {
  // Once, only the queue of the session that first kept signals was aged: "x", kept busy, hid
  // "y"'s old signal, which then counted against the total for good.
  const { store, drops, advance } = clocked({ maxAge: 300, maxTotalBytes: 7000 });
  store.keep("x", bytes(100));
  store.keep("y", bytes(3000));
  for (let i = 0; i < 30; i++) {
    advance(50);
    store.keep("x", bytes(100));
  }
  assert.deepEqual(drops.filter(([key]) => key === "y"), [["y", "age"]]);
  assert.ok(drops.every(([, reason]) => reason === "age"), JSON.stringify(drops));
  assert.equal(store.take("x").length, 7, "x's signals of the last 300 ms");
  store.stop();
});

test("signals age out by timer when nothing else happens", async () => {
  const drops: OfflineDropReason[] = [];
  const store = new OfflineSignals({ maxAge: 40 }, (_key, reason) => drops.push(reason));
  store.keep("a", bytes(1000));
  store.keep("b", bytes(1000));
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(drops, ["age", "age"]);
  assert.equal(store.totalBytes, 0);
  assert.equal(store.sessionCount, 0);
  store.stop();
});

test("many sessions of tiny signals are bounded by the total too", () => {
  // Once only the signals' bytes counted: a million 1-byte signals to a million keys took 556
  // MiB of heap against 3.8 MiB counted.
  const { store, drops } = clocked({ maxTotalBytes: 100_000 });
  for (let i = 0; i < 10_000; i++) store.keep(`session-${i}`, bytes(1));
  assert.ok(store.totalBytes <= 100_000);
  const perSession = 1 + 288 + 256 + "session-0000".length;
  assert.ok(store.sessionCount <= Math.ceil(100_000 / (perSession - 4)), `${store.sessionCount}`);
  assert.equal(drops.length, 10_000 - store.sessionCount);
  store.stop();
});

test("discard forgets without counting; bounds are checked", () => {
  const { store } = clocked({});
  store.keep("k", bytes(3));
  store.discard("k");
  assert.equal(store.dropped, 0);
  assert.equal(store.totalBytes, 0);
  store.stop();
  assert.throws(() => new OfflineSignals({ maxCount: 0 }), RangeError);
  assert.throws(() => new OfflineSignals({ maxAge: 1.5 }), RangeError);
});

test("a session kept busy holds no memory for the signals it dropped", () => {
  // Once, the order of all kept signals was only cut back when everything was gone: a million
  // keeps to one session of at most 4 signals grew the heap by about 80 MB.
  const store = new OfflineSignals({ maxCount: 4 });
  const before = heapAfterGc();
  for (let i = 0; i < 1_000_000; i++) store.keep("busy", bytes(1));
  const grown = heapAfterGc() - before;
  assert.ok(grown < 10e6, `heap grew by ${Math.round(grown / 1e6)} MB`);
  assert.equal(store.take("busy").length, 4);
  store.stop();
});

test("kept signals stay under half of maxSendBuffer: the replay after a restore goes at once", async () => {
  assert.equal(offlineLimitsUnder({}, 8 * 1024 * 1024).maxBytes, 1024 * 1024, "the default");
  assert.equal(offlineLimitsUnder({}, 64 * 1024).maxBytes, 32 * 1024, "a small maxSendBuffer");
  assert.throws(
    () => new Server({ maxSendBuffer: 8192, offlineSignals: { maxBytes: 4097 } }),
    /offlineSignals.maxBytes must be at most half of maxSendBuffer \(4096\), got 4097/,
  );
  const server = new Server({ maxSendBuffer: 8192, offlineSignals: { maxBytes: 4096 } });
  await server.shutdown();
  // The smallest maxSendBuffer: the default keeps nothing (every signal is larger), and builds.
  assert.equal(offlineLimitsUnder({}, 1).maxBytes, 1);
  const tiny = new Server({ maxSendBuffer: 1 });
  assert.equal(tiny.signalSession("k".repeat(24), "kept?"), 0);
  assert.equal(tiny.droppedOfflineSignals, 1, "dropped: larger than maxBytes");
  await tiny.shutdown();
});

test("signals given back go ahead of those kept since, and age with the oldest of them", () => {
  const { store, drops, advance } = clocked({ maxAge: 1000, maxCount: 4 });
  store.keep("other", bytes(1, 9));
  advance(100);
  for (let i = 1; i <= 3; i++) store.keep("k", bytes(1, i));
  const taken = store.take("k");
  advance(100);
  store.keep("k", bytes(1, 4)); // kept while the restore that took 1 to 3 was ending
  store.keep("k", bytes(1, 5));
  store.giveBack("k", taken); // none was delivered
  assert.deepEqual(drops, [["k", "count"]]); // past maxCount: the oldest given back went first
  advance(850); // "other" is 1 050 ms old, "k"'s all 850
  store.keep("another", bytes(1));
  assert.deepEqual(drops.at(-1), ["other", "age"]);
  assert.deepEqual(store.take("k").map((b) => b[0]), [2, 3, 4, 5]);
  store.giveBack("k", [bytes(1, 6)]); // nothing kept since: as a keep
  advance(1001);
  assert.deepEqual(store.take("k"), []);
  assert.deepEqual(drops.slice(-2), [["another", "age"], ["k", "age"]]);
  assert.equal(store.dropped, 4);
  assert.equal(store.totalBytes, 0);
  store.stop();
});
