import { test } from "node:test";
import assert from "node:assert/strict";
import { recordingLogger } from "../testing/recording_logger.ts";
import { until } from "../testing/until.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";

test("at most max warnings per window; the rest are counted once the window ends", async () => {
  const { logger, warnings } = recordingLogger();
  const log = new RateLimitedLog(logger, { max: 2, windowMs: 200, what: "violations" });
  for (let i = 0; i < 5; i++) log.warn(`violation ${i}`);
  assert.deepEqual(warnings, ["violation 0", "violation 1"]);
  await until(() => warnings.length === 3, "the count of those left out", 2000);
  assert.match(warnings[2], /^3 more violations not logged \(at most 2 per 0\.2 s/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  log.warn("violation 5");
  assert.equal(warnings[3], "violation 5", "a new window writes again");
  log.flush();
  assert.equal(warnings.length, 4, "nothing was left out in the new window");
});

test("flush reports at once and stops the window's timer", () => {
  const { logger, warnings } = recordingLogger();
  const log = new RateLimitedLog(logger, { max: 1, windowMs: 60_000, what: "violations" });
  log.warn("a");
  log.warn("b");
  log.flush();
  assert.deepEqual(warnings, [
    "a",
    "1 more violations not logged (at most 1 per 60 s; the hooks see every one)",
  ]);
});
