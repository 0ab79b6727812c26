import { test } from "node:test";
import assert from "node:assert/strict";
import { Payload } from "../protocol/payload.ts";
import { BadPayloadError } from "./errors.ts";
import { decodeValue, encodeValue } from "./payload_codec.ts";

test("values go on the wire as JSON text, bytes as bytes, nothing as an empty string", () => {
  assert.equal(encodeValue({ a: [1, "ü"] }), '{"a":[1,"ü"]}');
  assert.equal(encodeValue(null), "null");
  assert.equal(encodeValue(""), '""');
  assert.equal(encodeValue(undefined), "");
  const bytes = new Uint8Array([1, 2]);
  assert.equal(encodeValue(bytes), bytes);
  assert.equal(encodeValue({ a: undefined, b: NaN }), '{"b":null}', "JSON's own rules");
  assert.equal(encodeValue({ toJSON: () => "mine" }), '"mine"');
});

test("values JSON would silently change or drop are refused with a TypeError naming them", () => {
  const cases: [unknown, RegExp][] = [
    [1n, /^cannot send a BigInt as JSON: send it as a string$/],
    [{ n: 1n }, /^cannot send a BigInt as JSON \(at key "n"\)/],
    [new Date(0), /^cannot send a Date as JSON: send date\.toISOString\(\)/],
    [{ at: [new Date(0)] }, /^cannot send a Date as JSON \(at key "0"\)/],
    [new ArrayBuffer(3), /^cannot send an ArrayBuffer as JSON: only a Uint8Array/],
    [new Uint16Array(2), /^cannot send a Uint16Array as JSON/],
    [new DataView(new ArrayBuffer(1)), /^cannot send a DataView as JSON/],
    [{ bytes: new Uint8Array(1) }, /^cannot send a Uint8Array as JSON \(at key "bytes"\)/],
    [new Map([[1, 2]]), /^cannot send a Map as JSON: send an array or a plain object$/],
    [{ tags: new Set(["a"]) }, /^cannot send a Set as JSON \(at key "tags"\)/],
    [() => 1, /^cannot send a function as JSON: send data, not code$/],
    [{ f: () => 1 }, /^cannot send a function as JSON \(at key "f"\)/],
    [Symbol("s"), /^cannot send a symbol as JSON/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => encodeValue(value), (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
});

test("payloads come off the wire by their encoding", () => {
  assert.deepEqual(decodeValue(Payload.from('{"a":[1,"ü"]}')), { a: [1, "ü"] });
  assert.deepEqual(decodeValue(Payload.from('["x"]', "utf16")), ["x"]);
  assert.equal(decodeValue(Payload.from('""')), "");
  assert.equal(decodeValue(Payload.from("")), undefined);
  assert.equal(decodeValue(Payload.from("", "utf16")), undefined);
  const bytes = new TextEncoder().encode('{"a":1}');
  const binary = decodeValue(Payload.from(bytes));
  assert.equal(binary, bytes, "a binary payload is its bytes, not parsed");
  assert.deepEqual(decodeValue(Payload.from(new Uint8Array(0))), new Uint8Array(0));
});

test("text that is not JSON or not valid text is a BadPayloadError that quotes nothing", () => {
  const secret = "s3cr3t-token";
  const cases = [
    Payload.from(`{"token": ${secret}}`),
    Payload.from(`'${secret}'`, "utf16"),
    new Payload(new Uint8Array([0x22, 0xc3, 0x28, 0x22]), "utf8"),
    new Payload(new Uint8Array([0x00, 0xdc]), "utf16"),
  ];
  for (const payload of cases) {
    assert.throws(() => decodeValue(payload), (error: unknown) => {
      assert.ok(error instanceof BadPayloadError);
      assert.ok(!error.message.includes(secret));
      return true;
    });
  }
});

test("a UTF-8 byte order mark is not JSON", () => {
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, 0x31]);
  assert.throws(() => decodeValue(new Payload(withBom, "utf8")), BadPayloadError);
});
