import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame } from "../testing/ws_frame.ts";
import type { Connection } from "./connection.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A handler pushing with `await connection.whenWritable()` to a client that stopped reading (it
// still holds its connection open): a graceful close lets the handler go on, and so ends.
for (const adapter of adaptersOfThisRuntime) {
  for (const closing of ["shutdown", "connection.close()"] as const) {
    test(`a handler waiting in whenWritable does not hold up a graceful close (${adapter}, ${closing})`, async () => {
      let sent = 0;
      let stoppedEarly: boolean | undefined;
      let streaming: Connection | undefined;
      const running = await startServer({
        adapter,
        logger: silentLogger,
        sessionsEnabled: false,
        sendHighWaterMark: 64 * 1024,
        maxSendBuffer: 1024 * 1024,
        closeTimeout: 500,
        onRequest: async ({ connection }) => {
          streaming = connection;
          const chunk = new Uint8Array(32 * 1024);
          while (connection.isActive && sent < 100_000) {
            connection.signal("chunk", chunk);
            sent++;
            await connection.whenWritable();
          }
          stoppedEarly = sent < 100_000;
          return "done";
        },
      });
      const reader = await TcpClient.connect(running.url);
      try {
        await reader.next(); // accept-conf
        reader.stopReading();
        reader.write(maskedFrame(encodeRequest({ id: requestIdFromNumber(1), name: "stream" })));
        // The kernel's buffers are full and the handler waits for a drain that never comes.
        let seen = -1;
        await until(
          async () => {
            const still = sent === seen;
            seen = sent;
            await sleep(200);
            return still && sent > 0;
          },
          "the handler waits",
          10_000,
        );
        const closed = closing === "shutdown" ? running.server.shutdown() : streaming!.close();
        const outcome = await Promise.race([
          closed.then(() => "closed"),
          sleep(8000).then(() => "still waiting"),
        ]);
        assert.equal(outcome, "closed");
        assert.equal(stoppedEarly, true, "the handler saw isActive false and stopped");
      } finally {
        reader.destroy();
        await running.close();
      }
    });
  }
}
