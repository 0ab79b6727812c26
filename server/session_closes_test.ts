// SessionCloses: which restores a close of their session overtook, whatever the order in which
// closes and restores of several keys begin and end, and that nothing is kept once they ended.
import { test } from "node:test";
import assert from "node:assert/strict";
import { maxHeldSignals, SessionCloses } from "./session_closes.ts";

test("a close that begins while a restore watches overtakes it", () => {
  const closes = new SessionCloses();
  const watch = closes.watch("k");
  assert.equal(watch.overtaken, false);
  closes.begin("k")();
  assert.equal(watch.overtaken, true, "also after the close ended");
  watch.end();
  assert.equal(closes.size, 0);
});

test("a restore that begins while a close runs is overtaken; one after it ended is not", () => {
  const closes = new SessionCloses();
  const end = closes.begin("k");
  const during = closes.watch("k");
  end();
  const after = closes.watch("k");
  assert.equal(during.overtaken, true);
  assert.equal(after.overtaken, false);
  during.end();
  after.end();
  assert.equal(closes.size, 0);
});

test("closes of other keys overtake nothing", () => {
  const closes = new SessionCloses();
  const watch = closes.watch("k");
  const end = closes.begin("other");
  assert.equal(watch.overtaken, false);
  assert.equal(closes.watch("other").overtaken, true);
  end();
  watch.end();
  assert.equal(watch.overtaken, false);
});

test("two closes of one key: a restore that begins before the second ended is overtaken", () => {
  const closes = new SessionCloses();
  const first = closes.begin("k");
  const second = closes.begin("k");
  first();
  first(); // a second call changes nothing
  const watch = closes.watch("k");
  assert.equal(watch.overtaken, true);
  second();
  assert.equal(closes.watch("k").overtaken, false);
  watch.end();
});

test("many restores and closes ended in another order than they began leave nothing behind", () => {
  const closes = new SessionCloses();
  const ends: (() => void)[] = [];
  for (let i = 0; i < 200; i++) {
    const key = `k${i % 7}`;
    if (i % 3 === 0) ends.push(closes.begin(key));
    else {
      const watch = closes.watch(key);
      ends.push(() => watch.end());
    }
  }
  assert.equal(closes.size, 7);
  // Every other one first, then the rest backwards.
  const order = [
    ...ends.filter((_, i) => i % 2 === 0),
    ...ends.filter((_, i) => i % 2 === 1).reverse(),
  ];
  for (const end of order) end();
  assert.equal(closes.size, 0);
});

test("a restore's watch holds the signals to its key until it takes them, the newest at most", () => {
  const closes = new SessionCloses();
  const restore = closes.watch("key");
  const other = closes.watch("other");
  const signal = (n: number) => new Uint8Array([n & 0xff, n >> 8]);
  closes.hold("key", signal(0));
  closes.hold("nobody restores this", signal(1));
  assert.deepEqual(restore.takeHeld(), [signal(0)]);
  closes.hold("key", signal(2)); // after the take: reaches the connection as a holder instead
  assert.deepEqual(restore.takeHeld(), []);
  for (let n = 0; n < maxHeldSignals + 10; n++) closes.hold("other", signal(n));
  const held = other.takeHeld();
  assert.equal(held.length, maxHeldSignals);
  assert.deepEqual(held[0], signal(10), "the oldest were let go");
  restore.end();
  other.end();
  assert.equal(closes.size, 0);
});
