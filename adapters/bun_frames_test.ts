// Frames that break the WebSocket protocol, on Bun: Bun closes the connection itself (the client
// gets 1002 or 1007) but tells the close handler 1006. The adapters report them as the client's
// violations, as every other adapter does: `onProtocolViolation`, then a `protocol-violation`
// disconnect with the client's code. Once they passed for the client's own close. Bun only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ProtocolViolation } from "../server/options.ts";
import { startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, Opcode } from "../testing/ws_frame.ts";

const isBun = "Bun" in globalThis;

/** Bad frames and the code the client is sent for each. */
const badFrames: [string, Uint8Array, number][] = [
  ["a frame without a mask", new Uint8Array([0x82, 0x01, 0x07]), 1002],
  [
    "a reserved bit set",
    (() => {
      const frame = maskedFrame(new Uint8Array([7]));
      frame[0] |= 0x40;
      return frame;
    })(),
    1002,
  ],
  ["a text frame that is not UTF-8", maskedFrame(new Uint8Array([0xff, 0xfe]), Opcode.Text), 1007],
];

for (const adapter of ["runtime", "hono"] as const) {
  for (const [what, frame, code] of badFrames) {
    test(`${what} is the client's violation (${adapter} adapter on Bun)`, {
      skip: !isBun && "Bun only",
    }, async () => {
      const violations: ProtocolViolation[] = [];
      const disconnects: DisconnectReason[] = [];
      const running = await startServer({
        adapter,
        logger: silentLogger,
        onProtocolViolation: (_connection, violation) => void violations.push(violation),
        onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
      });
      try {
        const client = await TcpClient.connect(running.url);
        await client.next(); // accept-conf
        client.write(frame);
        assert.equal((await client.closeFrame())?.code, code);
        client.destroy();
        await until(() => disconnects.length === 1, "disconnect reported");
        assert.equal(violations.length, 1);
        assert.equal(violations[0].kind, "malformed");
        assert.equal(disconnects[0].kind, "protocol-violation");
        assert.equal(disconnects[0].code, code);
      } finally {
        await running.close();
      }
    });
  }
}
