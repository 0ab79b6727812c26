import { test } from "node:test";
import assert from "node:assert/strict";
import { checkTopicName } from "./topic_name.ts";

test("a refused topic name's message shows the character that is wrong, DEL and C1 too", () => {
  const cases: [string, string][] = [
    ["a\u007f", '"a\\u007f"'],
    ["a\u0085b", '"a\\u0085b"'],
    ["a\u009f", '"a\\u009f"'],
    ["tab\there", '"tab\\there"'],
    ["nul\u0000", '"nul\\u0000"'],
    ["x\ud800", '"x\\ud800"'],
  ];
  for (const [name, shown] of cases) {
    assert.throws(
      () => checkTopicName(name),
      (error: unknown) => error instanceof RangeError && error.message.endsWith(`got ${shown}`),
      shown,
    );
  }
  checkTopicName("room:café \u2028\u00a0"); // printable: taken as it is
});
