// A request whose connection ends while its async payload schema runs: the router does not call
// its handler once the schema is done (nobody is left to answer, and the handler's side effects
// would be for a client that is gone). The same request on an open connection is handled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { createRouter, defineContract, type StandardSchemaV1, unchecked } from "./mod.ts";

/** An async schema that waits until the test lets it go. */
function gatedSchema(): { schema: StandardSchemaV1<string>; release(): void; waiting(): number } {
  const gates: (() => void)[] = [];
  let waiting = 0;
  const schema: StandardSchemaV1<string> = {
    "~standard": {
      version: 1,
      vendor: "gated",
      validate: async (value) => {
        waiting++;
        await new Promise<void>((resolve) => gates.push(resolve));
        return { value: String(value) };
      },
    },
  };
  return {
    schema,
    release: () => gates.splice(0).forEach((open) => open()),
    waiting: () => waiting,
  };
}

test("a request cancelled while its async schema runs does not reach its handler", async () => {
  const gate = gatedSchema();
  const api = defineContract({
    requests: { remove: { payload: gate.schema, reply: unchecked<string>() } },
  });
  const removed: string[] = [];
  const log = recordingLogger();
  const router = createRouter(api, {
    requests: { remove: (id) => (removed.push(id), "removed") },
  }, { logger: log.logger });
  let disconnected = 0;
  const running = await startServer({
    sessionsEnabled: false,
    logger: log.logger,
    ...router,
    onClientDisconnected: () => void disconnected++,
  });
  const leaving = new Client(running.url);
  const staying = new Client(running.url);
  try {
    const lost = leaving.request("remove", '"a"').catch((error: unknown) => error);
    await until(() => gate.waiting() === 1, "the first schema runs");
    await leaving.close();
    await until(() => disconnected === 1, "the server saw the client go");
    assert.ok(await lost instanceof Error, "the closed client's request fails");

    const kept = staying.request("remove", '"b"');
    await until(() => gate.waiting() === 2, "the second schema runs");
    gate.release();
    assert.equal((await kept).text(), '"removed"');
    assert.deepEqual(removed, ["b"], "only the request of the open connection was handled");
    assert.deepEqual([...log.errors, ...log.warnings], [], "a client that left is no failure");
  } finally {
    gate.release();
    await staying.close();
    await running.close();
  }
});
