import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest } from "./encode_payload_message.ts";
import { maxSlabMessageSize, MessageSlab, messageSlabSize } from "./message_slab.ts";
import { writeRequestMessage } from "./payload_message_writer.ts";

test("message slab: views follow one another in one buffer and never overlap", () => {
  const slab = new MessageSlab();
  const first = slab.allocate(41);
  const second = slab.allocate(7);
  assert.equal(first.buffer, second.buffer);
  assert.equal(first.byteOffset, 0);
  assert.equal(second.byteOffset, 41);
  assert.equal(second.length, 7);
  first.fill(1);
  assert.ok(second.every((byte) => byte === 0), "a later view starts zeroed");
});

test("message slab: a message that does not fit starts a new slab; the old views keep theirs", () => {
  const slab = new MessageSlab();
  const views: Uint8Array[] = [];
  for (let n = 0; n * 100 < messageSlabSize + 100; n++) {
    const view = slab.allocate(100).fill(n & 0xff);
    views.push(view);
  }
  const buffers = new Set(views.map((view) => view.buffer));
  assert.equal(buffers.size, 2);
  views.forEach((view, n) => assert.ok(view.every((byte) => byte === (n & 0xff)), `view ${n}`));
});

test("message slab: a large message gets an array of its own", () => {
  const slab = new MessageSlab();
  const small = slab.allocate(10);
  const large = slab.allocate(maxSlabMessageSize + 1);
  assert.notEqual(large.buffer, small.buffer);
  assert.equal(large.byteLength, large.buffer.byteLength);
  assert.equal(slab.allocate(10).byteOffset, 10, "the slab goes on where it was");
});

test("message slab: the request writer gives the bytes of encodeRequest", () => {
  const slab = new MessageSlab();
  for (let n = 0; n < 600; n++) {
    const fields = {
      id: new Uint8Array([n & 0xff, n >> 8, 0, 0, 0, 0, 0, 0]),
      name: "users.get",
      payload: n % 3 === 0 ? "ünïcode" : new Uint8Array(n % 40).fill(n & 0xff),
      encoding: n % 3 === 0 ? "utf16" as const : undefined,
    };
    assert.deepEqual(
      writeRequestMessage(fields, slab.allocate, undefined, 0),
      encodeRequest(fields),
      `request ${n}`,
    );
  }
});
