import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";

const maxTimerDelay = 2 ** 31 - 1;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `body` while recording the delay of every `setTimeout` call. */
async function recordingTimers(body: (delays: number[]) => Promise<void>): Promise<void> {
  const original = globalThis.setTimeout;
  const delays: number[] = [];
  const recording = ((handler: () => void, ms?: number, ...rest: unknown[]) => {
    delays.push(ms ?? 0);
    return original(handler, ms, ...rest);
  }) as typeof setTimeout;
  globalThis.setTimeout = recording;
  try {
    await body(delays);
  } finally {
    globalThis.setTimeout = original;
  }
}

describe("Server review: timers and sessions", () => {
  it("does not spin the read timer of a read timeout above 2^31 - 1 ms", async () => {
    const running = await startServer({ logger: silentLogger, readTimeout: 3_000_000_000 });
    try {
      await recordingTimers(async (delays) => {
        const client = await RawClient.handshake(running.url);
        await delay(100);
        const tooLong = delays.filter((ms) => ms > maxTimerDelay);
        assert.deepEqual(tooLong, [], "timers longer than 2^31 - 1 ms fire at once");
        assert.ok(delays.length < 20, `${delays.length} timers set in 100 ms of silence`);
        assert.equal(running.server.connectionCount, 1);
        client.close();
        await client.closed;
      });
    } finally {
      await running.close();
    }
  });
});
