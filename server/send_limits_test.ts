import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveLimits, Server } from "../server.ts";

test("sendHighWaterMark defaults to 1 MiB, or half of a smaller maxSendBuffer", () => {
  assert.equal(resolveLimits({}).sendHighWaterMark, 1024 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 64 * 1024 * 1024 }).sendHighWaterMark, 1024 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 256 * 1024 }).sendHighWaterMark, 128 * 1024);
  assert.equal(resolveLimits({ maxSendBuffer: 1 }).sendHighWaterMark, 1);
  // A bad maxSendBuffer is still reported as such, not as a bad high-water mark.
  assert.throws(() => resolveLimits({ maxSendBuffer: 0 }), /maxSendBuffer must be/);
  assert.throws(() => resolveLimits({ maxSendBuffer: Number.NaN }), /maxSendBuffer must be/);
});

test("a sendHighWaterMark above maxSendBuffer is refused with both figures", () => {
  assert.throws(
    () => new Server({ maxSendBuffer: 1024, sendHighWaterMark: 1025 }),
    (error) =>
      error instanceof RangeError && /at most maxSendBuffer \(1024\), got 1025/.test(error.message),
  );
  assert.equal(
    resolveLimits({ maxSendBuffer: 1024, sendHighWaterMark: 1024 }).sendHighWaterMark,
    1024,
  );
});
