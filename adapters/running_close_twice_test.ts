// `running.close()` called twice (a second signal, a `finally` after a handler that closed):
// every adapter resolves both calls once the close is done. Before, serveNode's second call
// rejected with ERR_SERVER_NOT_RUNNING and serveDenoTcp's with BadResource, while serveDeno's,
// serveBun's and Hono's resolved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`the ${adapter} adapter's close() may be called again, during or after it`, async () => {
    const running = await startServer({ adapter, onRequest: (request) => request.payload });
    const client = new Client(running.url);
    await client.connect();
    const results = await Promise.allSettled([running.close(), running.close()]);
    results.push(...await Promise.allSettled([running.close()]));
    assert.deepEqual(results.map((result) => result.status), [
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    await client.close();
  });
}
