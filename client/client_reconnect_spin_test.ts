// `reconnect.initialDelay: 0` must not retry in a tight loop against a server that refuses
// every connection: each delay is at least a floor, and the caps grow from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { stablePort } from "../testing/stable_port.ts";
import { backoffDelay, minRetryDelay } from "./backoff.ts";
import { Client } from "./client.ts";

test("initialDelay 0 against a closed port: a few attempts in half a second, not a spin", async () => {
  const url = `ws://127.0.0.1:${await stablePort()}/`; // nothing listens there
  let attempts = 0;
  const client = new Client(url, {
    logger: silentLogger,
    reconnect: { initialDelay: 0 },
    onConnecting: () => void attempts++,
  });
  client.connect().catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 500));
  const seen = attempts;
  await client.close();
  // Delays of at least 10 ms whose caps double from 10 ms: about 7 attempts; without the floor
  // a refused dial is retried at once, hundreds of times.
  assert.ok(seen >= 2 && seen <= 25, `${seen} attempts in 500 ms`);
});

test("every delay is at least the floor, whatever the options and the draw", () => {
  const zero = () => 0;
  for (
    const options of [
      { initialDelay: 0, factor: 1, maxDelay: 0 },
      { initialDelay: 0, factor: 2, maxDelay: 10_000 },
      { initialDelay: 0.001, factor: 1, maxDelay: 10_000 },
      { initialDelay: 250, factor: 2, maxDelay: 10_000 },
    ]
  ) {
    for (const attempt of [0, 1, 5, 30]) {
      assert.ok(backoffDelay(attempt, options, zero) >= minRetryDelay, JSON.stringify(options));
    }
  }
  // The caps grow from the floor when initialDelay is below it.
  const top = () => 0.999999999;
  const caps = [0, 1, 2, 3].map((attempt) =>
    backoffDelay(attempt, { initialDelay: 0, factor: 2, maxDelay: 10_000 }, top)
  );
  assert.deepEqual(caps, [10, 19, 39, 79]);
});
