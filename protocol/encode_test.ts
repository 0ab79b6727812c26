import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode_message.ts";
import { encodeReply, encodeRequest, encodeSignal } from "./encode_payload_message.ts";
import {
  encodeAcceptConf,
  encodeErrorReply,
  encodeRestoreSession,
} from "./encode_control_message.ts";
import { RequestIdCounter, requestIdFromNumber, requestIdKey } from "./request_id.ts";

test("default accept-conf is byte for byte the reference's", () => {
  assert.deepEqual(
    [...encodeAcceptConf({ readTimeoutMs: 60000, messageBufferSize: 8192 })],
    [0x17, 0x02, 0x00, 0x60, 0xea, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00],
  );
});

test("UTF-16 padding: odd names get one zero byte, replies always", () => {
  const id = requestIdFromNumber(1);
  assert.deepEqual([...encodeRequest({ id, name: "a", payload: "B", encoding: "utf16" })], [
    129,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0x61,
    0,
    0x42,
    0,
  ]);
  assert.deepEqual([...encodeRequest({ id, name: "ab", payload: "B", encoding: "utf16" })], [
    129,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    0x61,
    0x62,
    0x42,
    0,
  ]);
  assert.deepEqual([...encodeSignal({ name: "a", payload: "B", encoding: "utf16" })], [
    65,
    1,
    0x61,
    0,
    0x42,
    0,
  ]);
  assert.deepEqual([...encodeReply({ id, payload: "B", encoding: "utf16" })], [
    193,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x42,
    0,
  ]);
});

test("string payloads are written in their encoding in one pass", () => {
  const id = requestIdFromNumber(7);
  const text = "héllo 😀 wörld, and a longer text to pass the short-string path";
  const m = decodeMessage(encodeRequest({ id, name: "x", payload: text }));
  assert.equal(m.kind === "request" && new TextDecoder().decode(m.payload), text);
  const u = decodeMessage(encodeReply({ id, payload: text, encoding: "utf16" }));
  assert.equal(u.kind === "reply" && new TextDecoder("utf-16le").decode(u.payload), text);
});

test("writers refuse what the reference writers refuse", () => {
  const id = requestIdFromNumber(1);
  assert.throws(() => encodeRequest({ id }), RangeError);
  assert.throws(() => encodeSignal({}), RangeError);
  assert.throws(() => encodeSignal({ name: "n", encoding: "utf16" }), RangeError);
  assert.throws(() => encodeRequest({ id, name: "x".repeat(256) }), RangeError);
  assert.throws(() => encodeRequest({ id, name: "tab\t" }), RangeError);
  assert.throws(
    () => encodeRequest({ id, payload: new Uint8Array(3), encoding: "utf16" }),
    RangeError,
  );
  assert.throws(() => encodeRequest({ id: new Uint8Array(7), name: "x" }), RangeError);
  assert.throws(() => encodeErrorReply({ id, code: "" }), RangeError);
  assert.throws(() => encodeErrorReply({ id, code: "é" }), RangeError);
  assert.throws(() => encodeRestoreSession(id, ""), RangeError);
  assert.doesNotThrow(() => encodeRequest({ id, name: "x".repeat(255) }));
});

test("encoders write into a caller's buffer at an offset", () => {
  const buffer = new Uint8Array(64);
  const first = encodeSignal({ name: "a", payload: "1" }, buffer, 0);
  const second = encodeSignal({ name: "b", payload: "2" }, buffer, first.length);
  assert.equal(second.byteOffset, first.length);
  assert.equal(second.buffer, buffer.buffer);
  assert.deepEqual([...buffer.subarray(0, 8)], [64, 1, 0x61, 0x31, 64, 1, 0x62, 0x32]);
  assert.throws(() => encodeSignal({ name: "c", payload: "3" }, buffer, 62), RangeError);
});

test("an offset into a target that is not a whole number from 0 is refused", () => {
  const buffer = new Uint8Array(64);
  for (const offset of [NaN, 1.5, -1, Infinity]) {
    assert.throws(
      () => encodeSignal({ name: "a", payload: "x" }, buffer, offset),
      (error: unknown) => error instanceof RangeError && error.message.includes(`${offset}`),
      `offset ${offset}`,
    );
    const id = requestIdFromNumber(1);
    assert.throws(() => encodeReply({ id, payload: "x" }, buffer, offset), RangeError);
    assert.throws(() => encodeErrorReply({ id, code: "E" }, buffer, offset), RangeError);
  }
  assert.deepEqual([...buffer], new Array(64).fill(0), "nothing written");
});

test("an unknown encoding is a RangeError, also one named like an Object property", () => {
  const id = requestIdFromNumber(1);
  for (const name of ["utf-8", "UTF8", "constructor", "toString", ""]) {
    const encoding = name as "utf8";
    assert.throws(() => encodeSignal({ name: "a", payload: "x", encoding }), RangeError, name);
    assert.throws(() => encodeRequest({ id, name: "a", encoding }), RangeError, name);
    assert.throws(() => encodeReply({ id, payload: new Uint8Array(2), encoding }), RangeError);
  }
});

test("encodeMessage inverts decodeMessage", () => {
  const id = requestIdFromNumber(0x1234567890);
  const frames = [
    encodeRequest({ id, name: "n", payload: "p" }),
    encodeReply({ id, payload: new Uint8Array([1, 2, 3]) }),
    encodeErrorReply({ id, code: "CODE", message: "msg" }),
    encodeAcceptConf({ readTimeoutMs: 1000, messageBufferSize: 1, subProtocol: "proto" }),
    encodeRestoreSession(id, "key"),
  ];
  for (const frame of frames) {
    assert.deepEqual([...encodeMessage(decodeMessage(frame))], [...frame]);
  }
});

test("request ids count up little-endian", () => {
  const ids = new RequestIdCounter();
  assert.deepEqual([...ids.next()], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(requestIdKey(requestIdFromNumber(2 ** 40 + 5)), 2 ** 40 + 5);
  assert.deepEqual([...requestIdFromNumber(0x0102030405)], [5, 4, 3, 2, 1, 0, 0, 0]);
});
