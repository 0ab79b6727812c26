// Requests that waited for a concurrency slot are let go once answered: the limiter's queue
// kept up to 1024 started waiters (and the request bytes their closures hold) per connection.
import { test } from "node:test";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, oneWrite, Opcode } from "../testing/ws_frame.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const adapter of adaptersOfThisRuntime) {
  test(`requests that waited for a slot are not kept once answered (${adapter} adapter)`, async () => {
    let live = 0;
    const collected = new FinalizationRegistry(() => void live--);
    const running = await startServer({
      adapter,
      logger: silentLogger,
      messageBufferSize: 64 * 1024,
      beforeUpgrade: () => ({ concurrencyLimit: 1 }),
      onRequest: async (request) => {
        live++;
        collected.register(request.payload.bytes.buffer, 0);
        await sleep(0);
        return "ok";
      },
    });
    const count = 500;
    try {
      const client = await TcpClient.connect(running.url);
      await client.next(); // accept-conf
      const payload = new Uint8Array(32 * 1024);
      const frames = Array.from(
        { length: count },
        (_, i) =>
          maskedFrame(encodeRequest({ id: requestIdFromNumber(i + 1), name: "x", payload })),
      );
      client.write(oneWrite(frames)); // 16 MiB of requests, all but one waiting for the slot
      let replies = 0;
      while (replies < count) if ((await client.next()).opcode === Opcode.Binary) replies++;
      // The connection stays open and idle: what it still holds is what a server with many
      // such clients pays.
      await until(
        async () => {
          heapAfterGc();
          await sleep(10);
          return live < 10;
        },
        "the answered requests' bytes collected",
        5000,
      ).catch(() => {
        throw new Error(`${live} of ${count} answered requests' bytes still held`);
      });
      client.destroy();
    } finally {
      await running.close();
    }
  });
}
