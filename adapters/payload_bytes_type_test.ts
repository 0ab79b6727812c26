// The bytes a handler is handed are a plain Uint8Array on every adapter. Bun hands its
// WebSocket handlers a Node `Buffer` by default, whose `slice()` is a view, not a copy: under
// serveBun (and Hono on Bun with honoBunWebSocket) a handler that took `payload.bytes.slice()`
// as a copy and changed it changed the request's payload too (an echo went back zeroed), and
// `JSON.stringify`, `toString()` and `deepStrictEqual` saw a Buffer where Deno and Node give a
// Uint8Array.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import type { Payload } from "../protocol/payload.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`payload bytes are a plain Uint8Array whose slice() copies (${adapter} adapter)`, async () => {
    const signals: Payload[] = [];
    const requestBytes: Uint8Array[] = [];
    const running = await startServer({
      adapter,
      sessionsEnabled: false,
      onRequest: (request) => {
        requestBytes.push(request.payload.bytes);
        const copy = request.payload.bytes.slice();
        copy.fill(0);
        return request.payload;
      },
      onSignal: (signal) => void signals.push(signal.payload),
    });
    const client = new Client(running.url);
    try {
      const reply = await client.request("echo", new Uint8Array([1, 2, 3]));
      assert.deepEqual([...reply.bytes], [1, 2, 3], "the handler's copy was the payload itself");
      assert.equal(Object.getPrototypeOf(requestBytes[0]), Uint8Array.prototype);
      client.signal("note", new Uint8Array([4, 5]));
      await until(() => signals.length === 1, "the signal arrived");
      assert.deepStrictEqual(signals[0].bytes, new Uint8Array([4, 5]));
    } finally {
      await client.close();
      await running.close();
    }
  });
}
