// A socket that opens after the shutdown began gets close 1001 at once; a client that answers
// that close lets `running.close()` resolve at once, not a `closeTimeout` later. Bun reports the
// close synchronously from `ws.close()` inside its `open` handler, before the adapter holds the
// socket's events: that report must still end the socket's close deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { maskedCloseFrame } from "../testing/ws_frame.ts";

/** Long, so that a shutdown that waits for it cannot pass for one that did not. */
const closeTimeout = 20_000;

/** Runs `then` after `ticks` turns of the microtask queue. */
function afterTicks(ticks: number, then: () => void): void {
  if (ticks === 0) return then();
  queueMicrotask(() => afterTicks(ticks - 1, then));
}

/** The shutdown begins `ticks` microtask turns after `beforeUpgrade` said yes. */
async function raceAt(
  adapter: string,
  ticks: number,
): Promise<{ late: boolean; closeTook: number } | null> {
  let closing: Promise<void> | undefined;
  let closeCalled = 0;
  const running = await startServer({
    adapter: adapter as "runtime",
    logger: silentLogger,
    closeTimeout,
    beforeUpgrade: () => {
      afterTicks(ticks, () => {
        closeCalled = performance.now();
        closing = running.close();
      });
      return {};
    },
  });
  let client: TcpClient;
  try {
    client = await TcpClient.connect(running.url);
  } catch {
    await closing;
    return null; // refused (503), or cut by Bun's stop
  }
  try {
    const closeFrame = await client.closeFrame(5000);
    // The client answers the close at once, as a browser does.
    client.write(maskedCloseFrame(1001));
    await closing;
    const closeTook = performance.now() - closeCalled;
    return { late: closeFrame !== null && closeFrame.before.length === 0, closeTook };
  } finally {
    client.destroy();
    await closing;
  }
}

for (const adapter of adaptersOfThisRuntime) {
  test(`a late socket whose client answers the close does not hold the shutdown (${adapter})`, {
    timeout: 120_000,
  }, async () => {
    const seen: string[] = [];
    for (let ticks = 0; ticks <= 20; ticks++) {
      const outcome = await raceAt(adapter, ticks);
      if (outcome === null) continue;
      const label = `${adapter}, ${ticks} turns: ${JSON.stringify(outcome)}`;
      seen.push(label);
      // Generous on a loaded machine, and still far under the close deadline.
      assert.ok(outcome.closeTook < closeTimeout / 4, label);
      if (!outcome.late) break; // the socket opened before the shutdown
    }
    assert.ok(seen.some((line) => line.includes('"late":true')), `never late:\n${seen.join("\n")}`);
  });
}
