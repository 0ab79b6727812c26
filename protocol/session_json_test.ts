import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSessionJson, parseSessionJson, type SessionInfo } from "./session_json.ts";
import { Timestamp } from "./timestamp.ts";

const t = Timestamp.parse("2024-01-01T00:00:00.5Z");
const bare = '{"k":"k","c":"2024-01-01T00:00:00.5Z","l":"2024-01-01T00:00:00.5Z"}';

test("info whose JSON is {} is left out, as the reference leaves out empty info", () => {
  const empty = [{}, { gone: undefined }, { f: () => 1 }] as unknown as SessionInfo[];
  for (const info of empty) {
    assert.equal(formatSessionJson({ key: "k", creation: t, lastLookup: t, info }), bare);
  }
  assert.equal(
    formatSessionJson({ key: "k", creation: t, lastLookup: t, info: { a: 1, b: {} } }),
    bare.slice(0, -1) + ',"i":{"a":1,"b":{}}}',
  );
});

test('"i" that is {} or null reads as no info', () => {
  const head = bare.slice(0, -1);
  assert.equal(parseSessionJson(`${head},"i":{}}`).info, undefined);
  assert.equal(parseSessionJson(`${head},"i":null}`).info, undefined);
  assert.equal(parseSessionJson(bare).info, undefined);
  assert.deepEqual(parseSessionJson(`${head},"i":{"a":{}}}`).info, { a: {} });
});

test("info that cannot be a JSON object is a TypeError", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const bad = [{ n: 10n }, cycle, { toJSON: () => "x" }] as unknown as SessionInfo[];
  for (const info of bad) {
    assert.throws(
      () => formatSessionJson({ key: "k", creation: t, lastLookup: t, info }),
      TypeError,
    );
  }
});

test("a key that restore-session cannot carry is a SyntaxError that does not show it", () => {
  const times = '"c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"';
  const printable = " !~" + "A".repeat(300);
  assert.equal(parseSessionJson(`{"k":${JSON.stringify(printable)},${times}}`).key, printable);
  for (const [key, code] of [["secret\u00e9", 233], ["secret\u0000", 0], ["secret\u007f", 127]]) {
    assert.throws(
      () => parseSessionJson(`{"k":${JSON.stringify(key)},${times}}`),
      (error: Error) =>
        error instanceof SyntaxError && error.message.endsWith(`code ${code} at index 6`) &&
        !error.message.includes("secret"),
    );
  }
});
