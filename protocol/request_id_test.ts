import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestIdCounter, requestIdFromNumber, requestIdKey } from "./request_id.ts";

test("requestIdKey reads every width of id, at any offset", () => {
  const values = [
    0,
    1,
    255,
    256,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000,
    0x1_2345_6789,
    2 ** 52 + 3,
    Number.MAX_SAFE_INTEGER,
  ];
  for (const value of values) {
    const id = requestIdFromNumber(value);
    assert.equal(requestIdKey(id), value, `id ${value}`);
    const message = new Uint8Array(12);
    message.set(id, 3);
    assert.equal(requestIdKey(message, 3), value, `id ${value} at offset 3`);
  }
});

test("requestIdKey of an id with the top byte set is a non-negative number", () => {
  const key = requestIdKey(new Uint8Array([0, 0, 0, 0x80, 0, 0, 0, 0x80]));
  assert.equal(key, 0x80000000 * 0x100000000 + 0x80000000);
});

test("nextInto writes the ids next would, past 2^32 too, and returns their keys", () => {
  for (const start of [0, 0xfffffffe]) {
    const a = new RequestIdCounter(start);
    const b = new RequestIdCounter(start);
    const target = new Uint8Array(10).fill(0xee);
    for (let i = 0; i < 3; i++) {
      const key = b.nextInto(target, 1);
      assert.deepEqual(target.subarray(1, 9), a.next());
      assert.equal(key, requestIdKey(target, 1));
      assert.equal(key, start + i + 1);
    }
    assert.equal(target[0], 0xee);
    assert.equal(target[9], 0xee);
  }
  assert.throws(() => new RequestIdCounter(-1), RangeError);
});
