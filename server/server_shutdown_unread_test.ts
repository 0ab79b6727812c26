// A graceful shutdown while a client has stopped reading its replies: the replies are sent and
// wait only for the socket to drain, so no handler runs any more and the close frame follows
// at once; the socket is dropped at `closeTimeout`. Once, such replies counted as running
// handlers and `shutdown()` never resolved (7.5 MB queued, the client sending heartbeats).
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeHeartbeat, encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { maskedFrame, oneWrite } from "../testing/ws_frame.ts";

const replies = 75;
const replySize = 100_000;

for (const adapter of adaptersOfThisRuntime) {
  // With a concurrency limit, the requests behind a reply that waits to drain wait for its slot.
  for (const limit of [0, 1]) {
    test(`shutdown ends while a client leaves its replies unread (${adapter} adapter, concurrency limit ${limit})`, async () => {
      let answered = 0;
      const running = await startServer({
        adapter,
        logger: silentLogger,
        beforeUpgrade: () => ({ concurrencyLimit: limit }),
        closeGrace: 300,
        closeTimeout: 1000,
        onRequest: () => {
          answered++;
          return new Uint8Array(replySize);
        },
      });
      const client = await TcpClient.connect(running.url);
      let beating: ReturnType<typeof setInterval> | undefined;
      try {
        await client.next(); // accept-conf
        client.stopReading();
        const requests = Array.from(
          { length: replies },
          (_, i) => maskedFrame(encodeRequest({ id: requestIdFromNumber(i + 1), name: "big" })),
        );
        client.write(oneWrite(requests));
        // All answered, or (with a limit) as many as the socket took before it filled.
        let seen = -1;
        while (answered !== seen) {
          seen = answered;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(answered >= 10, `${answered} answered`);
        // Not silent: the read timeout cannot end it either.
        beating = setInterval(() => client.write(maskedFrame(encodeHeartbeat())), 100);
        const began = performance.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stuck = new Promise<"stuck">((resolve) => timer = setTimeout(resolve, 8000, "stuck"));
        const outcome = await Promise.race([running.close().then(() => "closed" as const), stuck]);
        clearTimeout(timer);
        assert.equal(outcome, "closed", "shutdown resolved");
        assert.ok(
          performance.now() - began < 5000,
          "within closeGrace and closeTimeout, and margin",
        );
      } finally {
        clearInterval(beating);
        client.destroy();
      }
    });
  }
}
