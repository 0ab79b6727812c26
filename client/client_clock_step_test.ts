// A request's timeout runs on a clock that a step of the system's clock (NTP, a resumed virtual
// machine) does not move: `Date.now()` stepped back ten minutes must not hold it up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import { TimeoutError } from "./errors.ts";

test("a request times out on time when the system clock steps back", async () => {
  const running = await startServer({
    logger: silentLogger,
    onRequest: () => new Promise((resolve) => setTimeout(() => resolve("late"), 1500)),
  });
  const client = new Client(running.url, { logger: silentLogger });
  const wallClock = Date.now;
  try {
    await client.connect();
    const started = performance.now();
    const reply = client.request("slow", "", { timeout: 300 });
    Date.now = () => wallClock() - 600_000;
    await assert.rejects(reply, TimeoutError);
    const waited = performance.now() - started;
    assert.ok(waited >= 290 && waited < 1400, `timed out after ${waited} ms`);
  } finally {
    Date.now = wallClock;
    await client.close();
    await running.close();
  }
});
