// The read timeout runs on a clock that a step of the system's clock (NTP, a resumed virtual
// machine) does not move: `Date.now()` stepped back must not keep a silent connection open, nor
// one stepped forward close the connections that are not silent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { encodeHeartbeat } from "../protocol/encode_control_message.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";

for (const [step, direction] of [[-600_000, "back"], [600_000, "forward"]] as const) {
  test(`the read timeout holds when the system clock steps ${direction}`, async () => {
    const running = await startServer({ logger: silentLogger, readTimeout: 1000 });
    const wallClock = Date.now;
    try {
      const silent = await RawClient.handshake(running.url);
      const beating = await RawClient.handshake(running.url);
      const timer = setInterval(() => beating.send(encodeHeartbeat()), 100);
      const started = performance.now();
      Date.now = () => wallClock() + step;
      try {
        let giveUp: ReturnType<typeof setTimeout> | undefined;
        const gaveUp = new Promise((resolve) => giveUp = setTimeout(resolve, 5000, "still open"));
        const outcome = await Promise.race([silent.closed, gaveUp]);
        clearTimeout(giveUp);
        assert.notEqual(outcome, "still open");
        const after = performance.now() - started;
        assert.ok(after >= 900 && after < 4000, `closed ${after} ms after its last frame`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(running.server.connectionCount, 1, "the beating connection stays open");
      } finally {
        clearInterval(timer);
      }
      beating.close();
    } finally {
      Date.now = wallClock;
      await running.close();
    }
  });
}
