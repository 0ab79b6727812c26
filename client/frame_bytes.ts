/**
 * Reads one WebSocket frame as a client receives it: a WebWire message is a binary frame, so
 * anything else is a protocol violation. Internal to the client.
 *
 * @example
 * ```ts
 * import { frameBytes } from "./frame_bytes.ts";
 * import { ProtocolError } from "../protocol/protocol_error.ts";
 * console.assert(frameBytes(new Uint8Array([1, 2]).buffer) instanceof Uint8Array);
 * console.assert(frameBytes("hi") instanceof ProtocolError);
 * ```
 * @module
 */

import { ProtocolError } from "../protocol/protocol_error.ts";

/**
 * A binary frame's bytes (a view, not a copy), or a `ProtocolError` for anything else (a text
 * frame, say).
 *
 * @example
 * ```ts
 * import { frameBytes } from "./frame_bytes.ts";
 * const error = frameBytes("text");
 * console.assert(error instanceof Error && error.message.endsWith("got a text frame"));
 * ```
 */
export function frameBytes(data: unknown): Uint8Array | ProtocolError {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const found = typeof data === "string" ? "a text frame" : `a frame of ${typeof data}`;
  return new ProtocolError("unknown-type", `expected a binary frame, got ${found}`);
}
