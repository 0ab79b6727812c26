import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { summarizeIssues } from "./issue_summary.ts";

test("issues are listed as path: message, three at most", () => {
  const issues = [
    { message: "Expected string", path: ["user", { key: "name" }] },
    { message: "Too short", path: [{ key: "items" }, 2] },
    { message: "Required" },
    { message: "Fourth" },
    { message: "Fifth" },
  ];
  assert.equal(
    summarizeIssues(issues),
    "user.name: Expected string; items.2: Too short; Required (and 2 more)",
  );
  assert.equal(summarizeIssues([]), "invalid payload");
});

test("long messages and keys are clipped, control characters removed", () => {
  const key = "k".repeat(1000);
  const summary = summarizeIssues([
    { message: `bad\n"${"v".repeat(5000)}"\u2028end`, path: [key, Symbol("s")] },
  ]);
  assert.equal(summary, `${"k".repeat(23)}….Symbol(s): bad "${"v".repeat(74)}…`);
});

test("a clip never splits a surrogate pair", () => {
  const emoji = "😀".repeat(100);
  const summary = summarizeIssues([{ message: emoji }], 20);
  // 19 units would end in half a pair: 9 pairs and the ellipsis are 19 units.
  assert.equal(summary, `${"😀".repeat(9)}…`);
});

test("any issues at all give a summary within the bound, without control characters", () => {
  const segment = fc.oneof(fc.string(), fc.integer(), fc.record({ key: fc.string() }));
  const issue = fc.record({
    message: fc.string({ unit: "binary", maxLength: 500 }),
    path: fc.option(fc.array(segment, { maxLength: 5 }), { nil: undefined }),
  });
  fc.assert(fc.property(fc.array(issue, { maxLength: 8 }), fc.integer({ min: 0, max: 400 }), (
    issues,
    max,
  ) => {
    const summary = summarizeIssues(issues, max);
    assert.ok(summary.length <= Math.max(20, max));
    // deno-lint-ignore no-control-regex -- control characters are what must not be there
    assert.ok(!/[\u0000-\u001f\u007f]/.test(summary));
  }));
});
