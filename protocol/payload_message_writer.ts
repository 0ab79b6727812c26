/**
 * The bodies of the signal, request and reply encoders, parameterized by where the message goes:
 * the public encoders (`encode_payload_message.ts`) pass `messageBuffer` (a new exact-size array
 * or the caller's `target`), the scratch encoders (`encode_in_scratch.ts`) pass
 * `scratchBuffer`. Internal: not exported by `mod.ts`.
 *
 * @example
 * ```ts
 * import { writeSignalMessage } from "./payload_message_writer.ts";
 * import { messageBuffer } from "./payload_writer.ts";
 * const bytes = writeSignalMessage({ name: "hi" }, messageBuffer, undefined, 0);
 * console.assert(bytes.length === 4 && bytes[1] === 2);
 * ```
 * @module
 */

import { MessageType, type PayloadEncoding, typeForEncoding } from "./message_type.ts";
import { type PayloadInput, payloadLength, resolveEncoding } from "./payload_writer.ts";
import { assertPrintableAscii, writeAscii, writeUtf16, writeUtf8 } from "./text.ts";
import { assertRequestId } from "./request_id.ts";

/**
 * Where a message is written: returns `size` bytes to fill, given the encoder's optional `target`
 * and `offset`. `messageBuffer` and `scratchBuffer` are the two in use.
 *
 * @example
 * ```ts
 * import type { AllocateMessage } from "./payload_message_writer.ts";
 * const fresh: AllocateMessage = (size) => new Uint8Array(size);
 * console.assert(fresh(4, undefined, 0).length === 4);
 * ```
 */
export type AllocateMessage = (
  size: number,
  target: Uint8Array | undefined,
  offset: number,
) => Uint8Array;

/**
 * The fields of a signal, request or reply as the writers read them (the public field types
 * are assignable to it).
 *
 * @example
 * ```ts
 * import type { PayloadMessageFields } from "./payload_message_writer.ts";
 * const f: PayloadMessageFields = { name: "tick", payload: "1" };
 * console.assert(f.name === "tick");
 * ```
 */
export interface PayloadMessageFields {
  /** The 8-byte request id (requests and replies). */
  readonly id?: Uint8Array;
  /** Printable ASCII, 0 to 255 bytes (signals and requests). */
  readonly name?: string | Uint8Array;
  /** The payload, bytes in `encoding` or a string written in it. */
  readonly payload?: PayloadInput;
  /** The payload encoding; default from the payload's type. */
  readonly encoding?: PayloadEncoding;
}

/** Up to this many bytes, a loop copies faster than `Uint8Array.prototype.set` (V8, JSC). */
const loopCopyLimit = 32;

/**
 * Copies `source` into `target` at `offset`. A forward loop is right even when `source` is a
 * view of `target` that starts after `offset`; one that starts before it overlaps the header,
 * which is written first, so no copy could be right for it.
 */
function copyBytes(source: Uint8Array, target: Uint8Array, offset: number): void {
  const length = source.length;
  if (length > loopCopyLimit) {
    target.set(source, offset);
    return;
  }
  for (let i = 0; i < length; i++) target[offset + i] = source[i];
}

function writeBody(
  payload: PayloadInput | undefined,
  encoding: PayloadEncoding,
  target: Uint8Array,
  offset: number,
): void {
  if (payload === undefined) return;
  if (typeof payload !== "string") copyBytes(payload, target, offset);
  else if (encoding === "utf16") writeUtf16(payload, target, offset);
  else writeUtf8(payload, target, offset);
}

function writeId(id: Uint8Array, target: Uint8Array): void {
  for (let i = 0; i < 8; i++) target[1 + i] = id[i];
}

function checkedNameLength(name: string | Uint8Array | undefined): number {
  if (name === undefined) return 0;
  assertPrintableAscii(name, "name");
  return name.length;
}

/**
 * Writes a signal (types 63, 64, 65) into the bytes `allocate` returns; see `encodeSignal`.
 *
 * @throws {RangeError} for a bad name, an unknown encoding, a UTF-16 payload of odd length, or
 * neither name nor payload (also for a UTF-16 signal without payload).
 * @example
 * ```ts
 * import { writeSignalMessage } from "./payload_message_writer.ts";
 * import { messageBuffer } from "./payload_writer.ts";
 * const bytes = writeSignalMessage({ name: "a", payload: "b" }, messageBuffer, undefined, 0);
 * console.assert(bytes.join() === "64,1,97,98");
 * ```
 */
export function writeSignalMessage(
  fields: PayloadMessageFields,
  allocate: AllocateMessage,
  target: Uint8Array | undefined,
  offset: number,
): Uint8Array {
  const payload = fields.payload;
  const encoding = resolveEncoding(payload, fields.encoding);
  const name = fields.name;
  const nameLength = checkedNameLength(name);
  const size = payloadLength(payload, encoding);
  if (nameLength === 0 && size === 0) {
    throw new RangeError("a signal needs a name, a payload or both, got neither");
  }
  const utf16 = encoding === "utf16";
  if (utf16 && size === 0) {
    throw new RangeError("a UTF-16 signal needs a payload of at least one code unit, got none");
  }
  const payloadOffset = 2 + nameLength + (utf16 ? nameLength & 1 : 0);
  const out = allocate(payloadOffset + size, target, offset);
  out[0] = typeForEncoding(MessageType.SignalBinary, encoding);
  out[1] = nameLength;
  if (name !== undefined) writeAscii(name, out, 2);
  if (payloadOffset > 2 + nameLength) out[2 + nameLength] = 0;
  writeBody(payload, encoding, out, payloadOffset);
  return out;
}

/**
 * Writes a request (types 127, 128, 129) into the bytes `allocate` returns; see `encodeRequest`.
 *
 * @throws {RangeError} for a bad id or name, an unknown encoding, a UTF-16 payload of odd
 * length, or neither name nor payload.
 * @example
 * ```ts
 * import { writeRequestMessage } from "./payload_message_writer.ts";
 * import { messageBuffer } from "./payload_writer.ts";
 * const id = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
 * const bytes = writeRequestMessage({ id, name: "q" }, messageBuffer, undefined, 0);
 * console.assert(bytes.length === 11 && bytes[9] === 1);
 * ```
 */
export function writeRequestMessage(
  fields: PayloadMessageFields,
  allocate: AllocateMessage,
  target: Uint8Array | undefined,
  offset: number,
): Uint8Array {
  const id = fields.id as Uint8Array;
  assertRequestId(id);
  const payload = fields.payload;
  const encoding = resolveEncoding(payload, fields.encoding);
  const name = fields.name;
  const nameLength = checkedNameLength(name);
  const size = payloadLength(payload, encoding);
  if (nameLength === 0 && size === 0) {
    throw new RangeError("a request needs a name, a payload or both, got neither");
  }
  const padded = encoding === "utf16" && (nameLength & 1) === 1;
  const payloadOffset = 10 + nameLength + (padded ? 1 : 0);
  const out = allocate(payloadOffset + size, target, offset);
  out[0] = typeForEncoding(MessageType.RequestBinary, encoding);
  writeId(id, out);
  out[9] = nameLength;
  if (name !== undefined) writeAscii(name, out, 10);
  if (padded) out[10 + nameLength] = 0;
  writeBody(payload, encoding, out, payloadOffset);
  return out;
}

/**
 * Writes a reply (types 191, 192, 193) into the bytes `allocate` returns; see `encodeReply`.
 *
 * @throws {RangeError} for a bad id, an unknown encoding or a UTF-16 payload of odd length.
 * @example
 * ```ts
 * import { writeReplyMessage } from "./payload_message_writer.ts";
 * import { messageBuffer } from "./payload_writer.ts";
 * const bytes = writeReplyMessage({ id: new Uint8Array(8) }, messageBuffer, undefined, 0);
 * console.assert(bytes.length === 9 && bytes[0] === 191);
 * ```
 */
export function writeReplyMessage(
  fields: PayloadMessageFields,
  allocate: AllocateMessage,
  target: Uint8Array | undefined,
  offset: number,
): Uint8Array {
  const id = fields.id as Uint8Array;
  assertRequestId(id);
  const payload = fields.payload;
  const encoding = resolveEncoding(payload, fields.encoding);
  const size = payloadLength(payload, encoding);
  const payloadOffset = encoding === "utf16" ? 10 : 9;
  const out = allocate(payloadOffset + size, target, offset);
  out[0] = typeForEncoding(MessageType.ReplyBinary, encoding);
  writeId(id, out);
  if (payloadOffset === 10) out[9] = 0;
  writeBody(payload, encoding, out, payloadOffset);
  return out;
}
