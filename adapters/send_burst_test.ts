// A burst of replies and signals through every adapter the runtime can run (its own, Node's
// `ws`, Hono), over real sockets: each must arrive with the bytes it was sent with. The adapters
// hold sent bytes in different ways (Deno's encodes every message into one reused buffer, Node's
// corks the socket until the end of the tick and `ws` keeps the buffers until then), so a buffer
// reused or changed before the runtime wrote it shows up here as a wrong payload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, Payload, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import { maxScratchMessageSize } from "../protocol/message_scratch.ts";
import { RawClient } from "../testing/raw_client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";

/** Requests in one burst. */
const burst = 600;

/** The payload of request `n`: sizes on both sides of the scratch limit, bytes that say `n`. */
function payloadOf(n: number): Uint8Array {
  const size = n % 50 === 0 ? maxScratchMessageSize + n : 1 + (n * 37) % 5000;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (n + i * 13) & 0xff;
  return bytes;
}

const adapters = adaptersOfThisRuntime;

for (const adapter of adapters) {
  test(`${adapter}: a burst of replies and signals arrives with the bytes sent`, async () => {
    const running = await startServer({
      adapter,
      onRequest: (request) => {
        const n = Number(request.name.slice(1));
        // Every third request also gets a signal, sent before its reply.
        if (n % 3 === 0) request.connection.signal(`s${n}`, payloadOf(n + 1));
        // Some answer at once, some from a promise, in different encodings.
        const payload = n % 5 === 0 ? new Payload(payloadOf(n), "utf8") : payloadOf(n);
        return n % 2 === 0 ? payload : Promise.resolve(payload);
      },
    });
    try {
      const client = await RawClient.handshake(running.url);
      for (let n = 0; n < burst; n++) {
        client.send(encodeRequest({ id: requestIdFromNumber(n + 1), name: `r${n}` }));
      }
      const replies = new Map<number, Uint8Array>();
      let signals = 0;
      while (replies.size < burst) {
        const message = await client.next(10_000);
        if (message.kind === "signal") {
          const n = Number(message.nameText.slice(1));
          assert.deepEqual(message.payload, payloadOf(n + 1), `signal ${n}`);
          // A signal goes out before its request's reply.
          assert.ok(!replies.has(n), `signal ${n} after its reply`);
          signals++;
          continue;
        }
        assert.ok(message.kind === "reply", `expected a reply, got ${message.kind}`);
        const n = requestIdKey(message.id) - 1;
        assert.equal(message.encoding, n % 5 === 0 ? "utf8" : "binary");
        replies.set(n, message.payload.slice());
      }
      assert.equal(signals, burst / 3);
      for (let n = 0; n < burst; n++) assert.deepEqual(replies.get(n), payloadOf(n), `reply ${n}`);
      client.close();
    } finally {
      await running.close();
    }
  });
}
