import { test } from "node:test";
import assert from "node:assert/strict";
import { LastRead } from "./last_read.ts";

test("a reading without frames since keeps the time it had", () => {
  const lastRead = new LastRead(1_000);
  assert.equal(lastRead.asOf(5_000), 1_000);
  lastRead.frame();
  assert.equal(lastRead.asOf(6_000), 6_000);
  assert.equal(lastRead.asOf(9_000), 6_000);
});

test("frames between two readings in the same millisecond still move the time on", () => {
  const lastRead = new LastRead(1_000);
  lastRead.frame();
  const first = lastRead.asOf(2_000);
  lastRead.frame();
  lastRead.frame();
  const second = lastRead.asOf(2_000);
  assert.equal(first, 2_000);
  assert.ok(second > first, `${second} after ${first}`);
});

test("a clock reading older than the last stamp never moves the time back", () => {
  const lastRead = new LastRead(5_000);
  lastRead.frame();
  assert.equal(lastRead.asOf(4_000), 5_001);
});
