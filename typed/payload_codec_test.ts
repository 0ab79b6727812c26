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

/** Asserts that encodeValue refuses `value` with a TypeError whose message matches. */
function assertRefused(value: unknown, message: RegExp): void {
  assert.throws(() => encodeValue(value), (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

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
    // JSON.stringify writes each of these as {}: a promise not awaited is the likely slip.
    [Promise.resolve(1), /^cannot send a Promise as JSON: await it and send what it gives$/],
    [{ user: Promise.resolve({}) }, /^cannot send a Promise as JSON \(at key "user"\)/],
    [{ then: () => 1 }, /^cannot send a thenable as JSON: await it/],
    [new WeakMap(), /^cannot send a WeakMap as JSON/],
    [[new WeakSet()], /^cannot send a WeakSet as JSON \(at key "0"\)/],
    [{ file: new Blob(["x"]) }, /^cannot send a Blob as JSON \(at key "file"\): send await blob/],
  ];
  for (const [value, message] of cases) assertRefused(value, message);
  // A thenable that says how to write itself is written so.
  assert.equal(encodeValue({ then: () => 1, toJSON: () => "written" }), '"written"');
});

test("what a toJSON returns is refused like the value itself, and undefined is no payload", () => {
  const cases: [unknown, RegExp][] = [
    [
      { d: { toJSON: () => new Date(0) } },
      /^cannot send a Date returned by toJSON as JSON \(at key "d"\): send date\.toISOString\(\)/,
    ],
    [
      { m: { toJSON: () => new Map([[1, 2]]) } },
      /^cannot send a Map returned by toJSON as JSON \(at key "m"\)/,
    ],
    [
      [{ toJSON: () => new ArrayBuffer(1) }],
      /^cannot send an ArrayBuffer returned by toJSON as JSON \(at key "0"\)/,
    ],
    [
      { toJSON: () => () => 1 },
      /^cannot send a function returned by toJSON as JSON: send data, not code$/,
    ],
    [
      { n: { toJSON: () => 1n } },
      /^cannot send a BigInt returned by toJSON as JSON \(at key "n"\)/,
    ],
    [{ a: { toJSON: () => ({ at: [new Set()] }) } }, /^cannot send a Set as JSON \(at key "0"\)/],
  ];
  for (const [value, message] of cases) assertRefused(value, message);
  assert.equal(encodeValue({ toJSON: () => undefined }), "", "an empty payload, not undefined");
  class Money {
    constructor(readonly cents: number) {}
    toJSON(): { cents: number } {
      return { cents: this.cents };
    }
  }
  assert.equal(
    encodeValue([new Money(5), { u: new URL("http://x/") }]),
    '[{"cents":5},{"u":"http://x/"}]',
  );
});

test("any value, deep, shared or odd in shape, is written as JSON writes it or refused", () => {
  let deep: unknown = [1];
  for (let depth = 0; depth < 300; depth++) deep = { a: deep };
  assert.equal(encodeValue(deep), JSON.stringify(deep), "deeper than the walk goes");
  let deepDate: unknown = { at: new Date(0) };
  for (let depth = 0; depth < 300; depth++) deepDate = [deepDate];
  assertRefused(deepDate, /^cannot send a Date as JSON \(at key "at"\)/);
  const cyclic: unknown[] = [[[]]];
  (cyclic[0] as unknown[][])[0].push(cyclic);
  assert.throws(() => encodeValue(cyclic), (error) => error instanceof TypeError);
  const shared = { n: 1 };
  assert.equal(encodeValue([shared, shared]), '[{"n":1},{"n":1}]');
  // Inherited enumerable keys are not JSON's: neither written nor refused.
  const child = Object.assign(Object.create({ f: () => 1, at: new Date(0) }), { own: 1 });
  assert.equal(encodeValue(child), '{"own":1}');
  const bare = Object.assign(Object.create(null), { tags: new Set() });
  assertRefused(bare, /^cannot send a Set as JSON \(at key "tags"\)/);
  assert.equal(
    encodeValue(Object.assign(Object.create(null), { a: [true, null] })),
    '{"a":[true,null]}',
  );
  assertRefused({ s: Symbol("s") }, /^cannot send a symbol as JSON \(at key "s"\)/);
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

test("JSON with a __proto__ key, at any depth or escaped, is refused on every runtime", () => {
  const deep = `${"[".repeat(5000)}{"__proto__":1}${"]".repeat(5000)}`;
  const refused = [
    Payload.from('{"__proto__":{"admin":true}}'),
    Payload.from('[1,{"a":{"b":[{"__proto__":null}]}}]'),
    Payload.from('{"\\u005f\\u005fproto\\u005f\\u005f":1}'),
    Payload.from('{"__proto__":[]}', "utf16"),
    Payload.from(deep),
  ];
  for (const payload of refused) {
    assert.throws(() => decodeValue(payload), (error: unknown) => {
      assert.ok(error instanceof BadPayloadError, String(error));
      assert.match(error.message, /^the payload has a "__proto__" key/);
      return true;
    });
  }
  // The name as a value, other keys that name prototypes, escapes without the key: data.
  assert.deepEqual(decodeValue(Payload.from('{"key":"__proto__"}')), { key: "__proto__" });
  const plain = decodeValue(Payload.from('{"constructor":{"prototype":{"x":1}},"caf\\u00e9":1}'));
  assert.deepEqual(Object.keys(plain as object), ["constructor", "café"]);
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);
});

test("an own __proto__ key is refused when sent, as it is when received", () => {
  const tagged = Object.fromEntries([["__proto__", 1], ["b", 2]]);
  assert.throws(() => encodeValue(tagged), /cannot send a "__proto__" key as JSON/);
  assert.throws(() => encodeValue({ deep: [tagged] }), /cannot send a "__proto__" key as JSON/);
  // The inherited prototype is no key: a plain object goes as usual.
  assert.equal(encodeValue({ a: 1 }), '{"a":1}');
  assert.equal(encodeValue({ text: "__proto__" }), '{"text":"__proto__"}');
});
