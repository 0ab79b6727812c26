// What the router's onRejectedSignal hook may do: run asynchronously, and fail. A failure is
// the server's to log, as a signal handler's is: never an unhandled rejection (which ends a
// Deno or Node process).
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Client } from "../client/client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { defineContract } from "./define_contract.ts";
import { createRouter } from "./router.ts";

test("an async onRejectedSignal that rejects is logged by the server, not left unhandled", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  const log = recordingLogger();
  const api = defineContract<{ clientSignals: { typing: { room: string } } }>();
  const recorded: string[] = [];
  const running = await startServer({
    logger: log.logger,
    ...createRouter(api, { clientSignals: { typing: () => {} } }, {
      // Say an audit store that is down.
      onRejectedSignal: async (signal, error) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        recorded.push(`${signal.name} ${error.code}`);
        throw new Error("audit store down");
      },
    }),
  });
  const client = new Client(running.url);
  try {
    await client.connect();
    client.signal("typing", "{");
    client.signal("shout", "{}");
    await until(() => recorded.length === 2, "both rejected signals reported");
    await until(() => log.errors.length === 2, "both hook failures logged");
    assert.deepEqual(recorded, ["typing BAD_PAYLOAD", "shout UNKNOWN_SIGNAL"]);
    assert.ok(
      log.errors.every(({ details }) => String(details[0]).includes("audit store down")),
      JSON.stringify(log.errors.map((e) => e.message)),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await client.close();
    await running.close();
  }
});
