import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import type { Logger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import { until } from "../testing/until.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

/** A logger that counts its calls and throws from every one (or, `async`, rejects). */
function throwingLogger(async: boolean): Logger & { calls: number } {
  const fail = (): void => {
    logger.calls++;
    const error = new Error("log sink down");
    if (!async) throw error;
    // What an `async` logger's call returns, typed as the Logger's `void`.
    return Promise.reject(error) as unknown as void;
  };
  const logger = { calls: 0, warn: fail, error: fail };
  return logger;
}

let nextId = 1;

/** Sends a request and returns the reply's text or the error reply's code. */
async function ask(client: RawClient, name: string): Promise<string> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name, payload: "" }));
  for (;;) {
    const message = await client.next();
    if (message.kind === "reply") return new TextDecoder().decode(message.payload);
    if (message.kind === "error-reply") return message.codeText;
    if (message.kind !== "signal" && message.kind !== "session-created") return message.kind;
  }
}

for (
  const [adapter, async] of adaptersOfThisRuntime.flatMap((a) => [[a, false], [a, true]] as const)
) {
  const fails = async ? "rejects" : "throws";
  test(`a logger that ${fails} changes nothing the clients see (${adapter} adapter)`, async () => {
    const logger = throwingLogger(async);
    const disconnects: DisconnectReason[] = [];
    const running = await startServer({
      adapter,
      logger,
      sendHighWaterMark: 64 * 1024,
      maxSendBuffer: 512 * 1024,
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
      onRequest: (request) => {
        if (request.name === "fail") throw new Error("handler failed");
        return "ok";
      },
      onSignal: () => {
        throw new Error("signal handler failed");
      },
    });
    const client = await RawClient.handshake(running.url);
    const stalled = await stalledClient(running.url, new Uint8Array(0));
    try {
      await until(() => running.server.connectionCount === 2, "both connections accepted");
      // A failed handler: the client gets its internal error, the logger's throw goes nowhere.
      assert.equal(await ask(client, "fail"), "internal-error-reply");
      assert.equal(await ask(client, "fine"), "ok");
      // A stalled reader closed as slow while a broadcast is under way: logged, and the
      // broadcast still returns.
      const chunk = new Uint8Array(64 * 1024).fill(1);
      let rounds = 0;
      while (disconnects.length === 0 && rounds < 1024) {
        running.server.broadcast("chunk", chunk);
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await until(() => disconnects.length === 1, "the stalled reader was disconnected");
      assert.equal(disconnects[0].kind, "slow-reader");
      // A protocol violation: logged (the logger throws), and the offender is closed.
      const offender = await RawClient.handshake(running.url);
      offender.send(new Uint8Array([250, 1, 2]));
      assert.equal((await offender.closed).code, 1002);
      assert.ok(logger.calls >= 3, `the logger was asked ${logger.calls} times`);
      assert.equal(await ask(client, "fine"), "ok");
    } finally {
      stalled.destroy();
      client.close();
      await running.close();
    }
  });
}
