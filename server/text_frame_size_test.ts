// A text frame over messageBufferSize is a message too big (1009, `too-big`) on every adapter:
// on Deno.serve and Hono on Deno it was a text frame (1003), where the others refuse its size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, Opcode } from "../testing/ws_frame.ts";
import type { ProtocolViolation } from "./options.ts";

// 2000 bytes in 2000 characters, and 1200 bytes in 600 (under the limit counted in characters).
const texts = ["x".repeat(2000), "é".repeat(600)];

for (const adapter of adaptersOfThisRuntime) {
  for (const text of texts) {
    test(`a text frame of ${text.length} characters over the buffer size closes with 1009 (${adapter} adapter)`, async () => {
      const violations: ProtocolViolation[] = [];
      const running = await startServer({
        adapter,
        logger: silentLogger,
        messageBufferSize: 1024,
        onProtocolViolation: (_connection, violation) => void violations.push(violation),
      });
      try {
        const client = await TcpClient.connect(running.url);
        await client.next(); // accept-conf
        client.write(maskedFrame(new TextEncoder().encode(text), Opcode.Text));
        assert.equal((await client.closeFrame())?.code, 1009);
        await until(() => violations.length > 0, "the violation reported");
        assert.deepEqual(violations.map((violation) => violation.kind), ["too-big"]);
        client.destroy();
      } finally {
        await running.close();
      }
    });
  }
}
