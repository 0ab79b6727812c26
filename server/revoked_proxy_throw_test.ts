// A handler may throw anything, a revoked `Proxy` too, whose `instanceof` throws in its turn.
// Once, asking it whether it was a `RequestError` threw out of the reply path: no reply, and an
// uncaught error or unhandled rejection that ended a Deno or Node process.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

for (const adapter of adaptersOfThisRuntime) {
  test(`a handler that throws a revoked Proxy gets an internal-error reply (${adapter})`, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const log = recordingLogger();
    let lateThrows = 0;
    const running = await startServer({
      adapter,
      logger: log.logger,
      sessionsEnabled: false,
      onRequest: async ({ name, signal }) => {
        if (name === "sync") throw revokedProxy();
        if (name === "async") return await Promise.reject(revokedProxy());
        // Throws once its own connection has ended.
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        lateThrows++;
        throw revokedProxy();
      },
      onSignal: () => Promise.reject(revokedProxy()),
    });
    const client = await RawClient.handshake(running.url);
    try {
      client.send(encodeRequest({ id: requestIdFromNumber(1), name: "sync" }));
      client.send(encodeRequest({ id: requestIdFromNumber(2), name: "async" }));
      client.send(encodeSignal({ name: "tap" }));
      assert.equal((await client.next()).kind, "internal-error-reply");
      assert.equal((await client.next()).kind, "internal-error-reply");
      await until(() => log.errors.length === 3, "both failures and the signal's logged");
      client.send(encodeRequest({ id: requestIdFromNumber(3), name: "late" }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.close();
      await client.closed;
      await until(() => lateThrows === 1, "the late handler threw");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
      assert.deepEqual(log.errors.map((e) => e.message).sort(), [
        `request handler failed (request "async")`,
        `request handler failed (request "late")`, // not the abort's reason: a bug of its own
        `request handler failed (request "sync")`,
        `signal handler failed (signal "tap")`,
      ]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await running.close();
    }
  });
}
