/**
 * A client that connects and then stops reading, for slow-reader tests.
 *
 * @example
 * ```ts
 * import { maskedBinaryFrame } from "./stalled_client.ts";
 * console.assert(maskedBinaryFrame(new Uint8Array([1]))[0] === 0x82);
 * ```
 * @module
 */

import { connect, type Socket } from "node:net";

/**
 * A WebSocket client over plain TCP that completes the handshake, sends one frame and then
 * never reads again: the slow reader that a server must not buffer for without bound.
 * `frame` (at most 125 bytes) is sent first; `frame` may be empty to send nothing.
 *
 * @example
 * ```ts
 * import { stalledClient } from "./stalled_client.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer();
 * const socket = await stalledClient(running.url, new Uint8Array(0));
 * socket.destroy();
 * await running.close();
 * ```
 */
export async function stalledClient(url: string, frame: Uint8Array): Promise<Socket> {
  const { port, pathname } = new URL(url);
  const socket = connect(Number(port), "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => resolve());
  });
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await new Promise<void>((resolve) => {
    socket.once("data", () => {
      socket.pause();
      resolve();
    });
  });
  if (frame.length > 0) socket.write(maskedBinaryFrame(frame));
  return socket;
}

/**
 * One masked binary WebSocket frame (as a client sends it) of up to 125 bytes.
 *
 * @example
 * ```ts
 * import { maskedBinaryFrame } from "./stalled_client.ts";
 * console.assert(maskedBinaryFrame(new Uint8Array(3)).length === 9);
 * ```
 */
export function maskedBinaryFrame(payload: Uint8Array): Uint8Array {
  if (payload.length >= 126) throw new RangeError("short frames only");
  const mask = [1, 2, 3, 4];
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x82;
  frame[1] = 0x80 | payload.length;
  frame.set(mask, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i % 4];
  return frame;
}
