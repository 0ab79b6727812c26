/**
 * Bytes out of a WebSocket client: whole, final frames with a fresh random mask each (RFC 6455,
 * 5.3), header and payload in one array so that one write carries the frame.
 *
 * @example
 * ```ts
 * import { maskedFrame } from "./client_frame.ts";
 * const frame = maskedFrame(0x2, new Uint8Array([1, 2, 3]));
 * console.assert(frame.length === 2 + 4 + 3 && frame[0] === 0x82 && frame[1] === 0x83);
 * const mask = frame.subarray(2, 6);
 * console.assert(frame.subarray(6).every((b, i) => (b ^ mask[i % 4]) === i + 1));
 * ```
 * @module
 */

import { frameHeaderLength, writeFrameHeader } from "./frame_header.ts";

/** Payloads from this size on are masked four bytes at a time. */
const wordwiseFrom = 64;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Random bytes for masks, drawn 4 KiB at a time (one `getRandomValues` call per 1024 frames). */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function nextMask(target: Uint8Array, at: number): void {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  target.set(pool.subarray(poolAt, poolAt + 4), at);
  poolAt += 4;
}

/**
 * A final client frame of `opcode` carrying `payload`, masked: a new array, `payload` unchanged.
 *
 * @example
 * ```ts
 * import { maskedFrame } from "./client_frame.ts";
 * const close = maskedFrame(0x8, new Uint8Array([0x03, 0xe8])); // close, code 1000
 * console.assert(close[0] === 0x88 && (close[1] & 0x7f) === 2 && close.length === 8);
 * ```
 */
export function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const headerLength = frameHeaderLength(length);
  // The payload starts 4-byte aligned in the buffer, to be masked a word at a time.
  const start = headerLength + 4;
  const pad = (4 - (start & 3)) & 3;
  const frame = new Uint8Array(pad + start + length).subarray(pad);
  writeFrameHeader(frame, 0, opcode, length);
  frame[1] |= 0x80;
  nextMask(frame, headerLength);
  const m0 = frame[headerLength];
  const m1 = frame[headerLength + 1];
  const m2 = frame[headerLength + 2];
  const m3 = frame[headerLength + 3];
  frame.set(payload, start);
  let i = 0;
  if (length >= wordwiseFrom && littleEndian) {
    const words = new Uint32Array(frame.buffer, pad + start, length >>> 2);
    const mask = (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0;
    for (let w = 0; w < words.length; w++) words[w] ^= mask;
    i = length & ~3;
  }
  for (; i < length; i++) {
    frame[start + i] ^= (i & 3) === 0 ? m0 : (i & 3) === 1 ? m1 : (i & 3) === 2 ? m2 : m3;
  }
  return frame;
}
