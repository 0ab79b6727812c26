import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "./decode.ts";
import {
  DecodedMessage,
  IdentifiedMessage,
  ReplyMessage,
  RequestMessage,
  SignalMessage,
} from "./message.ts";
import { newReplyMessage, newRequestMessage, newSignalMessage } from "./message_construct.ts";

const request = new Uint8Array([
  128,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  4,
  0x65,
  0x63,
  0x68,
  0x6f,
  0x68,
  0x69,
]);
const signal = new Uint8Array([64, 1, 0x61, 0x62]);
const reply = new Uint8Array([193, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0]);

test("decoded requests, signals and replies are instances of their classes", () => {
  const r = decodeMessage(request);
  assert.ok(r instanceof RequestMessage && r instanceof IdentifiedMessage);
  assert.ok(r instanceof DecodedMessage);
  assert.equal(r.constructor, RequestMessage);
  const s = decodeMessage(signal);
  assert.ok(s instanceof SignalMessage && s instanceof DecodedMessage);
  assert.ok(!(s instanceof IdentifiedMessage));
  const p = decodeMessage(reply);
  assert.ok(p instanceof ReplyMessage && p instanceof IdentifiedMessage);
});

test("the fast constructors make what the class constructors make", () => {
  const pairs: Array<[object, object]> = [
    [newRequestMessage(request, 14), new RequestMessage(request, 14)],
    [newSignalMessage(signal, 3), new SignalMessage(signal, 3)],
    [newReplyMessage(reply), new ReplyMessage(reply)],
  ];
  for (const [fast, slow] of pairs) {
    assert.deepEqual(Object.keys(fast), Object.keys(slow));
    assert.equal(Object.getPrototypeOf(fast), Object.getPrototypeOf(slow));
    assert.deepEqual(fast, slow);
  }
});

test("getters read the bytes of a fast-constructed message", () => {
  const r = newRequestMessage(request, 14);
  assert.equal(r.type, 128);
  assert.deepEqual([...r.id], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(r.nameText, "echo");
  assert.equal(r.encoding, "utf8");
  assert.deepEqual([...r.payload], [0x68, 0x69]);
  const p = newReplyMessage(reply);
  assert.equal(p.encoding, "utf16");
  assert.deepEqual([...p.payload], [0x41, 0]);
  assert.equal(p.id[0], 2);
});
