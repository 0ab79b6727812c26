// A shutdown timeout longer than a timer can wait (over 2^31 - 1 ms, or Infinity) is no limit
// to speak of: the handlers still running finish and their replies are sent. Timers fire at once
// for such delays, so the shutdown used to drop the connections at once and lose the replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

for (const timeout of [Infinity, 2 ** 31, 30 * 24 * 3600 * 1000]) {
  test(`shutdown({ timeout: ${timeout} }) lets a running handler reply`, async () => {
    let running = 0;
    const finish = Promise.withResolvers<void>();
    const started = await startServer({
      onRequest: async (request) => {
        running++;
        await finish.promise;
        return request.payload;
      },
    });
    try {
      const client = await RawClient.handshake(started.url);
      client.send(encodeRequest({ id: requestIdFromNumber(1), name: "slow", payload: "done" }));
      await until(() => running === 1, "the handler runs");
      const shutdown = started.server.shutdown({ timeout });
      await new Promise((resolve) => setTimeout(resolve, 100));
      finish.resolve();
      const reply = await client.next();
      assert.equal(reply.kind, "reply", "the reply is sent, not cut off");
      assert.equal((await client.closed).code, 1001);
      await shutdown;
    } finally {
      finish.resolve();
      await started.close();
    }
  });
}
