import { test } from "node:test";
import assert from "node:assert/strict";
import { type OfflineDropReason, OfflineSignals } from "./offline_signals.ts";

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
});

test("signals older than maxAge are dropped when taken, and the oldest queue is pruned", () => {
  const { store, drops, advance } = clocked({ maxAge: 1000 });
  store.keep("old", bytes(10));
  advance(600);
  store.keep("k", bytes(1, 1));
  advance(600); // "old" is 1 200 ms old, the first of "k" 600 ms
  store.keep("k", bytes(1, 2)); // prunes the oldest queue ("old") on the way
  assert.deepEqual(drops, [["old", "age"]]);
  assert.equal(store.sessionCount, 1);
  advance(500);
  assert.deepEqual(store.take("k").map((b) => b[0]), [2]);
  assert.deepEqual(drops.at(-1), ["k", "age"]);
});

test("the total bound drops the oldest session's signals first", () => {
  const { store, drops } = clocked({ maxTotalBytes: 100 });
  store.keep("a", bytes(40));
  store.keep("b", bytes(40));
  store.keep("c", bytes(40));
  assert.deepEqual(drops, [["a", "total-bytes"]]);
  assert.equal(store.totalBytes, 80);
  assert.equal(store.take("a").length, 0);
  assert.equal(store.dropped, 1);
});

test("discard forgets without counting; bounds are checked", () => {
  const { store } = clocked({});
  store.keep("k", bytes(3));
  store.discard("k");
  assert.equal(store.dropped, 0);
  assert.equal(store.totalBytes, 0);
  assert.throws(() => new OfflineSignals({ maxCount: 0 }), RangeError);
  assert.throws(() => new OfflineSignals({ maxAge: 1.5 }), RangeError);
});
