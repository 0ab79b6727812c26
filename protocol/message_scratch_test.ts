import { test } from "node:test";
import assert from "node:assert/strict";
import { maxScratchMessageSize, scratchBuffer } from "./message_scratch.ts";

test("every size up to the limit is a view of the shared buffer's start, of exactly that size", () => {
  const shared = scratchBuffer(maxScratchMessageSize);
  for (let size = 0; size <= maxScratchMessageSize; size += size < 5000 ? 1 : 997) {
    // Asked twice: the second answer may come from the views kept per size.
    for (let again = 0; again < 2; again++) {
      const view = scratchBuffer(size);
      assert.equal(view.length, size);
      assert.equal(view.byteOffset, shared.byteOffset);
      assert.equal(view.buffer, shared.buffer);
    }
  }
});

test("a view kept for a size shows the bytes written since through a view of another size", () => {
  const small = scratchBuffer(16);
  scratchBuffer(4000).fill(7);
  assert.deepEqual([...scratchBuffer(16)], new Array(16).fill(7));
  scratchBuffer(20).fill(9, 0, 16);
  assert.deepEqual([...small], new Array(16).fill(9));
});

test("a message larger than the limit gets an array of its own, never the shared buffer", () => {
  const shared = scratchBuffer(1);
  const large = scratchBuffer(maxScratchMessageSize + 1);
  assert.equal(large.length, maxScratchMessageSize + 1);
  assert.notEqual(large.buffer, shared.buffer);
  assert.notEqual(scratchBuffer(maxScratchMessageSize + 1), large);
});
