/**
 * WebSocket frames at the byte level, for tests that write exactly what a client sends (several
 * frames in one TCP write, a frame of any opcode) and read exactly what a server sends.
 *
 * @example
 * ```ts
 * import { FrameReader, maskedFrame } from "./ws_frame.ts";
 * const frame = maskedFrame(new Uint8Array([1, 2, 3]));
 * console.assert(frame[0] === 0x82 && frame.length === 9);
 * const reader = new FrameReader();
 * console.assert(reader.push(new Uint8Array([0x82, 1, 7]))[0].payload[0] === 7);
 * ```
 * @module
 */

import { concatBytes } from "../adapters/concat_bytes.ts";

/**
 * WebSocket opcodes.
 *
 * @example
 * ```ts
 * import { Opcode } from "./ws_frame.ts";
 * console.assert(Opcode.Close === 8);
 * ```
 */
export const Opcode = { Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

/**
 * One final, masked frame as a client sends it, of any length.
 *
 * @example
 * ```ts
 * import { maskedFrame, Opcode } from "./ws_frame.ts";
 * console.assert(maskedFrame(new Uint8Array(200), Opcode.Binary).length === 2 + 2 + 4 + 200);
 * ```
 */
export function maskedFrame(payload: Uint8Array, opcode: number = Opcode.Binary): Uint8Array {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | opcode;
  const view = new DataView(frame.buffer);
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  const maskAt = 2 + lengthBytes;
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  frame.set(mask, maskAt);
  for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i] ^ mask[i % 4];
  return frame;
}

/**
 * The close frame a client sends: the code (2 bytes, big-endian) and the UTF-8 reason.
 *
 * @example
 * ```ts
 * import { maskedCloseFrame } from "./ws_frame.ts";
 * console.assert(maskedCloseFrame(1000).length === 2 + 4 + 2);
 * ```
 */
export function maskedCloseFrame(code: number, reason = ""): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.length);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(text, 2);
  return maskedFrame(payload, Opcode.Close);
}

/**
 * A frame a server sent.
 *
 * @example
 * ```ts
 * import type { ServerFrame } from "./ws_frame.ts";
 * const frame: ServerFrame = { opcode: 2, payload: new Uint8Array([23]) };
 * console.assert(frame.opcode === 2);
 * ```
 */
export interface ServerFrame {
  /** The opcode (see {@link Opcode}). */
  readonly opcode: number;
  /** The payload, unmasked. */
  readonly payload: Uint8Array;
}

/**
 * The code and reason of a close frame's payload (1005, "" for an empty one).
 *
 * @example
 * ```ts
 * import { closePayload } from "./ws_frame.ts";
 * console.assert(closePayload(new Uint8Array([3, 234, 0x6f, 0x6b])).code === 1002);
 * ```
 */
export function closePayload(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: "" };
  return {
    code: (payload[0] << 8) | payload[1],
    reason: new TextDecoder().decode(payload.subarray(2)),
  };
}

/**
 * Cuts a byte stream into frames (unfragmented): a server's, or a client's, whose masked
 * payloads it unmasks.
 *
 * @example
 * ```ts
 * import { FrameReader } from "./ws_frame.ts";
 * const reader = new FrameReader();
 * console.assert(reader.push(new Uint8Array([0x88, 2, 3])).length === 0);
 * console.assert(reader.push(new Uint8Array([0xe8]))[0].opcode === 8);
 * ```
 */
export class FrameReader {
  /** Bytes not yet cut into frames, in chunks: joined only once a frame can be complete. */
  #chunks: Uint8Array[] = [];
  #length = 0;
  /** How many bytes the first incomplete frame needs (at least its next byte). */
  #needed = 2;

  /** Adds bytes; returns the frames they completed, in order. */
  push(bytes: Uint8Array): ServerFrame[] {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    // A 24 MiB frame arrives in hundreds of chunks: joining at each one copies gigabytes.
    if (this.#length < this.#needed) return [];
    const joined = concatBytes(this.#chunks);
    const frames: ServerFrame[] = [];
    let at = 0;
    for (;;) {
      const frame = readFrame(joined, at);
      if (frame === null) break;
      frames.push(frame.frame);
      at = frame.end;
    }
    const rest = joined.slice(at);
    this.#chunks = [rest];
    this.#length = rest.length;
    this.#needed = frameLength(rest) ?? rest.length + 1;
    return frames;
  }
}

/** The whole length of the frame `bytes` begin with, once its header is there. */
function frameLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const short = bytes[1] & 0x7f;
  const mask = (bytes[1] & 0x80) !== 0 ? 4 : 0;
  if (short < 126) return 2 + mask + short;
  const header = short === 126 ? 4 : 10;
  if (bytes.length < header) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = short === 126 ? view.getUint16(2) : Number(view.getBigUint64(2));
  return header + mask + length;
}

function readFrame(bytes: Uint8Array, at: number): { frame: ServerFrame; end: number } | null {
  if (bytes.length - at < 2) return null;
  const opcode = bytes[at] & 0x0f;
  const short = bytes[at + 1] & 0x7f;
  let length = short;
  let start = at + 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  if (short === 126) {
    if (bytes.length - at < 4) return null;
    length = view.getUint16(at + 2);
    start = at + 4;
  } else if (short === 127) {
    if (bytes.length - at < 10) return null;
    length = Number(view.getBigUint64(at + 2));
    start = at + 10;
  }
  // A client's frame: its masking key comes before the payload.
  const masked = (bytes[at + 1] & 0x80) !== 0;
  const key = masked ? bytes.subarray(start, start + 4) : undefined;
  if (masked) start += 4;
  if (bytes.length < start + length) return null;
  const payload = bytes.slice(start, start + length);
  if (key !== undefined) { for (let i = 0; i < length; i++) payload[i] ^= key[i % 4]; }
  return { frame: { opcode, payload }, end: start + length };
}

/**
 * Frames (or any byte arrays) joined into one buffer, to be written in one TCP write so that the
 * server reads them together.
 *
 * @example
 * ```ts
 * import { maskedFrame, oneWrite } from "./ws_frame.ts";
 * const both = oneWrite([maskedFrame(new Uint8Array([1])), maskedFrame(new Uint8Array([2]))]);
 * console.assert(both.length === 2 * 7);
 * ```
 */
export function oneWrite(frames: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let at = 0;
  for (const frame of frames) {
    all.set(frame, at);
    at += frame.length;
  }
  return all;
}
