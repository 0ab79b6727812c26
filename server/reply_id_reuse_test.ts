// A client may send a request id again as soon as it has the reply, even when that reply went
// out behind more than the high-water mark: on Deno.serve (no drain event, the buffer polled
// every 10 ms) the id stayed pending until the server saw the buffer drain, and the reuse was
// closed with 1002 as a duplicate.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeRequest,
  requestIdFromNumber,
  requestIdKey,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { maskedFrame, oneWrite, Opcode } from "../testing/ws_frame.ts";
import type { ProtocolViolation } from "./options.ts";

const frame = (n: number, name: string) =>
  maskedFrame(encodeRequest({ id: requestIdFromNumber(n), name }));

for (const adapter of adaptersOfThisRuntime) {
  test(`an id may come again once its reply arrived behind a full buffer (${adapter} adapter)`, async () => {
    const violations: ProtocolViolation[] = [];
    const running = await startServer({
      adapter,
      logger: silentLogger,
      sendHighWaterMark: 16 * 1024,
      onProtocolViolation: (_connection, violation) => void violations.push(violation),
      onRequest: (request) => request.name === "big" ? new Uint8Array(512 * 1024) : "small",
    });
    try {
      const client = await TcpClient.connect(running.url);
      await client.next(); // accept-conf
      for (let round = 0; round < 5; round++) {
        // The big reply fills the buffer: the small one is sent behind it and waits to drain.
        client.write(oneWrite([frame(2, "big"), frame(1, "small")]));
        const ids: (number | string)[] = [];
        while (ids.length < 2) {
          const next = await client.next();
          assert.equal(next.opcode, Opcode.Binary, `round ${round}: no close`);
          const message = decodeMessage(next.payload);
          if (message.kind === "reply") ids.push(requestIdKey(message.id));
        }
        assert.deepEqual(ids, [2, 1]); // both replies in: the same ids come again
      }
      assert.deepEqual(violations, []);
      client.destroy();
    } finally {
      await running.close();
    }
  });
}
