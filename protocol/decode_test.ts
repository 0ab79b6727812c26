import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { decodeMessage } from "./decode.ts";
import { ProtocolError, type ProtocolErrorReason } from "./protocol_error.ts";

const id = [1, 0, 0, 0, 0, 0, 0, 0];

function rejects(bytes: number[], reason: ProtocolErrorReason): void {
  assert.throws(
    () => decodeMessage(new Uint8Array(bytes)),
    (error: unknown) => error instanceof ProtocolError && error.reason === reason,
    `expected ${reason} for [${bytes.join(",")}]`,
  );
}

test("decodes a UTF-8 request into views of the input", () => {
  const bytes = new Uint8Array([128, ...id, 4, ...new TextEncoder().encode("echohi")]);
  const m = decodeMessage(bytes);
  assert.equal(m.kind, "request");
  if (m.kind !== "request") return;
  assert.equal(m.nameText, "echo");
  assert.equal(m.encoding, "utf8");
  assert.deepEqual([...m.id], id);
  assert.equal(m.payload.buffer, bytes.buffer, "payload is a view, not a copy");
  assert.equal(m.payload.byteOffset, 14);
  bytes[14] = 0x48;
  assert.equal(new TextDecoder().decode(m.payload), "Hi");
});

test("UTF-16 request with an odd name skips the padding byte", () => {
  const m = decodeMessage(new Uint8Array([129, ...id, 1, 0x61, 0, 0x41, 0]));
  assert.equal(m.kind, "request");
  if (m.kind === "request") assert.deepEqual([...m.payload], [0x41, 0]);
});

test("UTF-16 request rules of the reference parser", () => {
  rejects([129, ...id, 1, 0x61], "utf16-unaligned");
  rejects([129, ...id, 4, 0x61], "utf16-unaligned");
  rejects([129, ...id, 4, 0x61, 0x62], "name-overflow");
  const named = decodeMessage(new Uint8Array([129, ...id, 1, 0x61, 0]));
  assert.equal(named.kind === "request" && named.payload.length, 0);
});

test("UTF-16 signal needs a payload code unit, as the reference parser does", () => {
  rejects([65, 1, 0x61, 0], "too-short");
  rejects([65, 2, 0x61, 0x62], "too-short");
  rejects([65, 3, 0x61, 0x62], "name-overflow");
  rejects([65, 0, 1], "too-short");
  rejects([65, 0, 1, 2, 3], "utf16-unaligned");
  const m = decodeMessage(new Uint8Array([65, 0, 0x41, 0]));
  assert.equal(m.kind === "signal" && m.payload.length, 2);
});

test("signals, replies and fixed-length messages", () => {
  rejects([], "empty");
  rejects([6], "unknown-type");
  rejects([64, 1], "too-short");
  rejects([64, 5, 0x61], "name-overflow");
  rejects([191, ...id.slice(0, 7)], "too-short");
  rejects([193, ...id], "too-short");
  rejects([193, ...id, 0, 1], "utf16-unaligned");
  rejects([33, 0], "bad-length");
  rejects([22, 0], "bad-length");
  rejects([31, ...id, 0], "bad-length");
  rejects([0, ...id, 0, 0], "empty-error-code");
  rejects([0, ...id, 3, 0x41], "code-overflow");
  rejects([32, ...id], "too-short");
  rejects([23, 2, 0, 0, 0, 0, 0, 0, 0, 0], "too-short");
  assert.equal(decodeMessage(new Uint8Array([33])).kind, "heartbeat");
  assert.equal(decodeMessage(new Uint8Array([5, ...id, 9])).kind, "sessions-disabled-reply");
});

test("accept-conf fields", () => {
  const m = decodeMessage(new Uint8Array([23, 2, 1, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0x80, 0x78]));
  assert.equal(m.kind, "accept-conf");
  if (m.kind !== "accept-conf") return;
  assert.equal(m.major, 2);
  assert.equal(m.minor, 1);
  assert.equal(m.readTimeoutMs, 60000);
  assert.equal(m.messageBufferSize, 0x80002000);
  assert.equal(m.subProtocolText, "x");
});

test("error reply fields", () => {
  const m = decodeMessage(new Uint8Array([0, ...id, 2, 0x45, 0x31, 0xc3, 0xa9]));
  assert.equal(m.kind, "error-reply");
  if (m.kind !== "error-reply") return;
  assert.equal(m.codeText, "E1");
  assert.equal(m.messageText, "é");
});

test("every type byte is decoded or rejected as unknown-type", () => {
  const known = new Set([
    0,
    1,
    2,
    3,
    4,
    5,
    21,
    22,
    23,
    31,
    32,
    33,
    63,
    64,
    65,
    127,
    128,
    129,
    191,
    192,
    193,
  ]);
  for (let type = 0; type < 256; type++) {
    const bytes = new Uint8Array(16);
    bytes[0] = type;
    bytes[9] = 1;
    bytes[10] = 0x41;
    bytes[1] = type === 23 ? 2 : 1;
    try {
      decodeMessage(
        known.has(type) && [22, 33].includes(type)
          ? bytes.subarray(0, 1)
          : known.has(type) && type === 31
          ? bytes.subarray(0, 9)
          : bytes,
      );
      assert.ok(known.has(type), `type ${type} should be rejected`);
    } catch (error) {
      assert.ok(error instanceof ProtocolError);
      assert.equal(
        known.has(type) ? "known" : error.reason,
        known.has(type) ? "known" : "unknown-type",
      );
    }
  }
});

test("what is not a Uint8Array is a TypeError that says what to pass", () => {
  for (const value of [null, undefined, new ArrayBuffer(9), [33], "!", new Uint16Array(1)]) {
    assert.throws(
      () => decodeMessage(value as unknown as Uint8Array),
      (error: unknown) =>
        error instanceof TypeError && /decodeMessage takes a Uint8Array/.test(error.message),
      `for ${Object.prototype.toString.call(value)}`,
    );
  }
});

test("a Uint8Array made in another realm, or a subclass, decodes", () => {
  const foreign = runInNewContext("new Uint8Array([33])") as Uint8Array;
  assert.equal(foreign instanceof Uint8Array, false);
  assert.equal(decodeMessage(foreign).kind, "heartbeat");
  class Bytes extends Uint8Array {}
  assert.equal(decodeMessage(new Bytes([33])).kind, "heartbeat");
});
