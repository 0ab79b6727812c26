/**
 * Bytes out: the header of a frame a WebSocket server sends (final, unmasked; RFC 6455,
 * section 5.2), and the body of a close frame.
 *
 * @example
 * ```ts
 * import { frameHeaderLength, Opcode, writeFrameHeader } from "./frame_header.ts";
 * const payload = new Uint8Array([1, 2, 3]);
 * const frame = new Uint8Array(frameHeaderLength(payload.length) + payload.length);
 * const at = writeFrameHeader(frame, 0, Opcode.Binary, payload.length);
 * frame.set(payload, at);
 * console.assert(frame.join() === "130,3,1,2,3");
 * ```
 * @module
 */

/**
 * The opcodes a server sends.
 *
 * @example
 * ```ts
 * import { Opcode } from "./frame_header.ts";
 * console.assert(Opcode.Close === 8 && Opcode.Pong === 10);
 * ```
 */
export const Opcode = { Binary: 0x2, Close: 0x8, Pong: 0xa } as const;

/**
 * The bytes of the header of a server frame with `payloadLength` bytes of payload: 2, 4 or 10.
 *
 * @example
 * ```ts
 * import { frameHeaderLength } from "./frame_header.ts";
 * console.assert(frameHeaderLength(125) === 2 && frameHeaderLength(126) === 4);
 * console.assert(frameHeaderLength(65536) === 10);
 * ```
 */
export function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
}

/**
 * Writes the header of a final, unmasked frame at `at` in `target` and returns where the
 * payload goes.
 *
 * @example
 * ```ts
 * import { Opcode, writeFrameHeader } from "./frame_header.ts";
 * const target = new Uint8Array(4);
 * console.assert(writeFrameHeader(target, 0, Opcode.Binary, 300) === 4);
 * console.assert(target.join() === "130,126,1,44");
 * ```
 */
export function writeFrameHeader(
  target: Uint8Array,
  at: number,
  opcode: number,
  payloadLength: number,
): number {
  target[at] = 0x80 | opcode;
  if (payloadLength < 126) {
    target[at + 1] = payloadLength;
    return at + 2;
  }
  if (payloadLength < 65536) {
    target[at + 1] = 126;
    target[at + 2] = payloadLength >>> 8;
    target[at + 3] = payloadLength & 0xff;
    return at + 4;
  }
  target[at + 1] = 127;
  const high = Math.floor(payloadLength / 0x100000000);
  const low = payloadLength >>> 0;
  target[at + 2] = high >>> 24;
  target[at + 3] = (high >>> 16) & 0xff;
  target[at + 4] = (high >>> 8) & 0xff;
  target[at + 5] = high & 0xff;
  target[at + 6] = low >>> 24;
  target[at + 7] = (low >>> 16) & 0xff;
  target[at + 8] = (low >>> 8) & 0xff;
  target[at + 9] = low & 0xff;
  return at + 10;
}

/**
 * The body of a close frame: the code, big-endian, then the reason in UTF-8, cut to at most
 * 123 bytes at a character boundary. Code 1005 ("no code") gives an empty body.
 *
 * @example
 * ```ts
 * import { closeFrameBody } from "./frame_header.ts";
 * console.assert(closeFrameBody(1000, "bye").join() === "3,232,98,121,101");
 * console.assert(closeFrameBody(1005, "").length === 0);
 * ```
 */
export function closeFrameBody(code: number, reason: string): Uint8Array {
  if (code === 1005) return new Uint8Array(0);
  let text = new TextEncoder().encode(reason);
  if (text.length > 123) {
    let end = 123;
    // Back to the start of a character: continuation bytes are 10xxxxxx.
    while (end > 0 && (text[end] & 0xc0) === 0x80) end--;
    text = text.subarray(0, end);
  }
  const body = new Uint8Array(2 + text.length);
  body[0] = code >>> 8;
  body[1] = code & 0xff;
  body.set(text, 2);
  return body;
}
