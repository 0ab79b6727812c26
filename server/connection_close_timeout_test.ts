// `connection.close(code, reason, { timeout })`: a graceful close waits for the connection's
// running handlers, and a handler that waits for its own abort signal (a long poll) would hold
// it for good, since the signal aborts only once the connection has closed. With a timeout the
// close goes out when it is over, and the handler then sees its signal; a bad timeout is a
// RangeError that closes nothing. Real clients, every adapter of the runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import type { DisconnectedError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`${adapter}: a close with a timeout does not wait for a long poll past it`, async () => {
    let polling: Connection | undefined;
    let aborted = false;
    const refused: string[] = [];
    const running = await startServer({
      adapter,
      logger: silentLogger,
      sessionsEnabled: false,
      onRequest: async ({ name, connection, signal }) => {
        if (name !== "poll") return "?";
        polling = connection;
        // Waits until the reply can no longer be delivered.
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        aborted = true;
        return "late";
      },
    });
    const client = new Client(running.url, { autoconnect: false, logger: silentLogger });
    try {
      await client.connect();
      const poll = client.request("poll").then(() => "answered", (error: Error) => error.name);
      await until(() => polling !== undefined, "the poll runs");
      for (const timeout of [-1, Number.NaN, "5" as unknown as number]) {
        try {
          void polling!.close(4000, "kicked", { timeout });
        } catch (error) {
          refused.push((error as Error).message);
        }
      }
      assert.deepEqual(refused, [
        "timeout must be a number of 0 or more, got -1",
        "timeout must be a number of 0 or more, got NaN",
        "timeout must be a number of 0 or more, got 5",
      ]);
      assert.ok(polling!.isActive, "a refused close closes nothing");
      const lost = new Promise<DisconnectedError>((resolve) => {
        client.addEventListener("disconnected", (event) => resolve(event.detail), { once: true });
      });
      const started = performance.now();
      await polling!.close(4000, "kicked", { timeout: 200 });
      const waited = performance.now() - started;
      assert.ok(waited >= 150, `waited for the handler first (${waited.toFixed(0)} ms)`);
      assert.ok(waited < 3000, `closed once the timeout was over (${waited.toFixed(0)} ms)`);
      const error = await lost;
      assert.deepEqual([error.code, error.reason], [4000, "kicked"]);
      assert.equal(await poll, "DisconnectedError");
      await until(() => aborted, "the handler saw its signal");
    } finally {
      await client.close();
      await running.close();
    }
  });
}
