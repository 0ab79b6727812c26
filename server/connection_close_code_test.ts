// `connection.close(code, reason)`: the client sees the application's close code and reason, on
// every adapter of the runtime, after the reply of the request that asked for it; a code outside
// 1000 and 3000 to 4999 is a RangeError and closes nothing; without arguments, 1000 and
// "connection closed".
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { DisconnectedError } from "../client/errors.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`${adapter}: the client sees the code and reason connection.close was given`, async () => {
    const disconnects: DisconnectReason[] = [];
    const refused: string[] = [];
    const running = await startServer({
      adapter,
      logger: silentLogger,
      sessionsEnabled: false,
      onRequest: (request) => {
        const [code, reason] = request.payload.text().split(" ");
        try {
          void request.connection.close(Number(code), reason);
        } catch (error) {
          refused.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        return "bye";
      },
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    });
    const client = new Client(running.url, { autoconnect: false, logger: silentLogger });
    try {
      await client.connect();
      // Refused: the connection stays open and answers.
      assert.equal((await client.request("close", "1011 reserved")).text(), "bye");
      assert.equal((await client.request("close", "4000.5 fraction")).text(), "bye");
      assert.deepEqual(refused, [
        "RangeError: close code 1011: give 1000 or one of 3000 to 4999",
        "RangeError: close code 4000.5: give 1000 or one of 3000 to 4999",
      ]);
      const lost = new Promise<DisconnectedError>((resolve) => {
        client.addEventListener("disconnected", (event) => resolve(event.detail), { once: true });
      });
      assert.equal((await client.request("close", "4403 banned")).text(), "bye");
      const error = await lost;
      assert.equal(error.code, 4403);
      assert.equal(error.reason, "banned");
      assert.deepEqual(disconnects.map(({ kind, code, message }) => [kind, code, message]), [
        ["server-closed", 4403, "banned"],
      ]);
    } finally {
      await client.close();
      await running.close();
    }
  });
}

for (const adapter of adaptersOfThisRuntime) {
  test(`${adapter}: connection.close() without arguments closes with 1000 and "connection closed"`, async () => {
    const running = await startServer({
      adapter,
      logger: silentLogger,
      sessionsEnabled: false,
      onRequest: (request) => {
        void request.connection.close();
        return "bye";
      },
    });
    const client = new Client(running.url, { autoconnect: false, logger: silentLogger });
    try {
      await client.connect();
      const lost = new Promise<DisconnectedError>((resolve) => {
        client.addEventListener("disconnected", (event) => resolve(event.detail), { once: true });
      });
      assert.equal((await client.request("close")).text(), "bye");
      const error = await lost;
      assert.deepEqual([error.code, error.reason], [1000, "connection closed"]);
    } finally {
      await client.close();
      await running.close();
    }
  });
}
