import { test } from "node:test";
import assert from "node:assert/strict";
import { maxSlabMessageSize, slabBuffer, slabSize } from "./message_slab.ts";

test("views of one slab follow one another and start zeroed", () => {
  const a = slabBuffer(5);
  const b = slabBuffer(7);
  assert.equal(a.length, 5);
  assert.equal(b.length, 7);
  if (a.buffer === b.buffer) assert.equal(b.byteOffset, a.byteOffset + 5);
  assert.ok(b.every((byte) => byte === 0));
});

test("a full slab is replaced by a fresh one, never reused", () => {
  const first = slabBuffer(1);
  const seen = new Set<ArrayBufferLike>([first.buffer]);
  let last = first;
  // Enough 1 KiB views to fill three slabs.
  for (let i = 0; i < (3 * slabSize) / 1024; i++) {
    const view = slabBuffer(1024);
    if (view.buffer !== last.buffer) {
      assert.ok(!seen.has(view.buffer), "a slab came back after it was left");
      assert.equal(view.byteOffset, 0);
      seen.add(view.buffer);
    }
    last = view;
  }
  assert.ok(seen.size >= 3);
});

test("a message above the slab limit gets an array of its own", () => {
  const big = slabBuffer(maxSlabMessageSize + 1);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, maxSlabMessageSize + 1);
});

test("a view keeps its bytes however many views are handed out after it", () => {
  const kept: Array<{ view: Uint8Array; copy: Uint8Array }> = [];
  for (let i = 0; i < 200_000; i++) {
    const size = 1 + (i % 61);
    const view = slabBuffer(size);
    assert.ok(view.every((byte) => byte === 0), `view ${i} was handed out dirty`);
    view.fill(i & 0xff);
    if (i % 10_000 === 0) kept.push({ view, copy: view.slice() });
  }
  for (const { view, copy } of kept) assert.deepEqual(view, copy);
});
