// A socket that opens after the shutdown began gets close 1001 at once; a client that answers
// that close lets `running.close()` resolve at once, not a `closeTimeout` later. Bun reports the
// close synchronously from `ws.close()` inside its `open` handler, before the adapter holds the
// socket's events: that report must still end the socket's close deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adaptersOfThisRuntime, type StartOptions } from "../testing/serve.ts";
import { serverShuttingDownAfterUpgrade } from "../testing/shutdown_race.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { maskedCloseFrame } from "../testing/ws_frame.ts";

/** Long, so that a shutdown that waits for it cannot pass for one that did not. */
const closeTimeout = 20_000;

/** The shutdown begins `ticks` microtask turns after `beforeUpgrade` said yes. */
async function raceAt(
  adapter: NonNullable<StartOptions["adapter"]>,
  ticks: number,
): Promise<{ late: boolean; closeTook: number } | null> {
  const race = await serverShuttingDownAfterUpgrade(adapter, ticks, closeTimeout);
  let client: TcpClient;
  try {
    client = await TcpClient.connect(race.running.url);
  } catch {
    await race.closing();
    return null; // refused (503), or cut by Bun's stop
  }
  try {
    const closeFrame = await client.closeFrame(5000);
    // The client answers the close at once, as a browser does.
    client.write(maskedCloseFrame(1001));
    await race.closing();
    const closeTook = performance.now() - race.closeCalledAt;
    return { late: closeFrame !== null && closeFrame.before.length === 0, closeTook };
  } finally {
    client.destroy();
    await race.closing();
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
