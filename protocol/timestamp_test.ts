import { test } from "node:test";
import assert from "node:assert/strict";
import { Timestamp } from "./timestamp.ts";
import { formatSessionJson, parseSessionJson } from "./session_json.ts";

test("RFC 3339 text written by Go round-trips exactly", () => {
  for (
    const text of [
      "2018-05-13T17:34:02.123456789+02:00",
      "2018-05-13T17:34:02Z",
      "1999-12-31T23:59:59.5-05:30",
      "2024-02-29T00:00:00.000000001Z",
    ]
  ) {
    assert.equal(Timestamp.parse(text).toString(), text);
  }
});

test("timestamps convert to dates at the same instant", () => {
  const t = Timestamp.parse("2018-05-13T17:34:02.123456789+02:00");
  assert.equal(t.toDate().toISOString(), "2018-05-13T15:34:02.123Z");
  assert.throws(() => Timestamp.parse("yesterday"), SyntaxError);
});

test("session JSON keeps nanoseconds and omits empty info", () => {
  const json =
    '{"k":"key","c":"2018-05-13T17:34:02.123456789+02:00","l":"2018-05-13T17:34:02Z","i":{"user":"ada"}}';
  const session = parseSessionJson(json);
  assert.equal(formatSessionJson(session), json);
  assert.equal(formatSessionJson({ ...session, info: {} }).includes('"i"'), false);
  assert.throws(() => parseSessionJson("[]"), SyntaxError);
  assert.throws(() => parseSessionJson('{"k":""}'), SyntaxError);
});
