// The chat's rate limit counts on the monotonic clock: a step of the wall clock back (NTP, a
// VM resumed) does not lock a connection out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestError } from "../../protocol/request_error.ts";
import { RateLimit } from "./rate_limit.ts";

test("a step of the wall clock back an hour costs no more than the usual wait", async () => {
  const limit = new RateLimit({ burst: 2, perSecond: 5 });
  const connection = {};
  limit.take(connection);
  limit.take(connection);
  assert.throws(() => limit.take(connection), (error: unknown) => {
    return error instanceof RequestError && error.code === "RATE_LIMITED";
  });
  const wallClock = Date.now;
  const stepped = wallClock() - 3_600_000;
  Date.now = () => stepped;
  try {
    await new Promise((resolve) => setTimeout(resolve, 250)); // a token back at 5 per second
    limit.take(connection);
  } finally {
    Date.now = wallClock;
  }
});
