import { test } from "node:test";
import assert from "node:assert/strict";
import { Timestamp } from "./timestamp.ts";
import { formatSessionJson, parseSessionJson } from "./session_json.ts";

/** Each text parses and writes back exactly as it was. */
function roundTrips(texts: readonly string[]): void {
  for (const text of texts) assert.equal(Timestamp.parse(text).toString(), text);
}

test("RFC 3339 text written by Go round-trips exactly", () => {
  roundTrips([
    "2018-05-13T17:34:02.123456789+02:00",
    "2018-05-13T17:34:02Z",
    "1999-12-31T23:59:59.5-05:30",
    "2024-02-29T00:00:00.000000001Z",
  ]);
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

test("the years 0000 to 0099 are those years, not 1900 to 1999", () => {
  // Go's zero time, as a Go server writes a session never looked up.
  const zero = Timestamp.parse("0001-01-01T00:00:00Z");
  assert.equal(zero.epochSeconds, -62_135_596_800);
  assert.equal(zero.toDate().toISOString(), "0001-01-01T00:00:00.000Z");
  assert.equal(zero.toString(), "0001-01-01T00:00:00Z");
  for (
    const text of [
      "0000-01-01T00:00:00Z",
      "0000-02-29T12:00:00Z", // year 0 is a leap year, for Go too
      "0050-06-01T12:00:00.5+05:30",
      "0099-12-31T23:59:59.999999999Z",
      "0100-01-01T00:00:00Z",
    ]
  ) {
    const t = Timestamp.parse(text);
    assert.equal(t.toString(), text);
    assert.equal(Timestamp.parse(t.toString()).epochSeconds, t.epochSeconds);
  }
  assert.equal(Timestamp.parse("0099-12-31T23:59:59Z").epochSeconds + 1, -59_011_459_200);
});

test("fields out of range are refused as Go refuses them, not rolled over", () => {
  for (
    const text of [
      "2020-02-30T00:00:00Z",
      "2021-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2021-04-31T00:00:00Z",
      "2021-00-01T00:00:00Z",
      "2021-13-01T00:00:00Z",
      "2021-01-00T00:00:00Z",
      "2021-01-32T00:00:00Z",
      "2021-01-01T24:00:00Z",
      "2021-01-01T23:60:00Z",
      "2021-01-01T23:59:60Z",
      "2021-01-01T00:00:00+24:00",
      "2021-01-01T00:00:00-00:60",
      "2021-01-01T00:00:00+99:99",
    ]
  ) {
    assert.throws(() => Timestamp.parse(text), SyntaxError, text);
  }
  roundTrips([
    "2000-02-29T00:00:00Z",
    "2024-02-29T23:59:59Z",
    "2021-12-31T23:59:59.999999999+23:59",
    "2021-01-01T00:00:00-23:59",
  ]);
});

test("a timestamp RFC 3339 cannot write is refused when made", () => {
  const refused: [string, () => unknown][] = [
    ["year 10000", () => new Timestamp(253_402_300_800)],
    ["year -1", () => new Timestamp(-62_167_219_201)],
    ["year 10000 by the offset", () => new Timestamp(253_402_300_799, 0, 1)],
    ["year -1 by the offset", () => new Timestamp(-62_167_219_200, 0, -1)],
    ["far future", () => new Timestamp(9e12)],
    ["NaN offset", () => new Timestamp(0, 0, NaN)],
    ["fractional offset", () => new Timestamp(0, 0, 1.5)],
    ["offset of 24 hours", () => new Timestamp(0, 0, 1440)],
    ["offset of -24 hours", () => new Timestamp(0, 0, -1440)],
    ["invalid Date", () => Timestamp.fromDate(new Date(NaN))],
    ["Date in year 10000", () => Timestamp.fromDate(new Date(Date.UTC(10000, 0, 1)))],
  ];
  for (const [label, make] of refused) assert.throws(make, RangeError, label);
  // The edges are taken and read back.
  for (
    const t of [
      new Timestamp(-62_167_219_200),
      new Timestamp(253_402_300_799, 999_999_999),
      new Timestamp(253_402_300_799 + 1439 * 60, 0, -1439),
      new Timestamp(-62_167_219_200 - 1439 * 60, 0, 1439),
    ]
  ) {
    const back = Timestamp.parse(t.toString());
    assert.deepEqual(
      [back.epochSeconds, back.nanoseconds, back.offsetMinutes],
      [t.epochSeconds, t.nanoseconds, t.offsetMinutes],
    );
  }
});
