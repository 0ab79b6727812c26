/**
 * Encoders for the messages without a named payload: error and special replies, session
 * notifications and requests, heartbeat and accept-conf.
 *
 * @example
 * ```ts
 * import { encodeHeartbeat } from "./encode_control_message.ts";
 * console.assert(encodeHeartbeat()[0] === 33);
 * ```
 * @module
 */

import { MessageType } from "./message_type.ts";
import { messageBuffer } from "./payload_writer.ts";
import { assertRequestId } from "./request_id.ts";
import { assertPrintableAscii, utf8Length, writeAscii, writeUtf8 } from "./text.ts";

/**
 * Fields of an error reply.
 *
 * @example
 * ```ts
 * import type { ErrorReplyFields } from "./encode_control_message.ts";
 * const e: ErrorReplyFields = { id: new Uint8Array(8), code: "E", message: "bad" };
 * console.assert(e.code === "E");
 * ```
 */
export interface ErrorReplyFields {
  /** The 8-byte identifier of the failed request. */
  id: Uint8Array;
  /** 1 to 255 bytes of printable ASCII. */
  code: string | Uint8Array;
  /** UTF-8 text or bytes; may be empty. */
  message?: string | Uint8Array;
}

/**
 * Encodes an error reply (type 0): `type, id[8], n, code[n], message`.
 *
 * @throws {RangeError} for a bad id or an empty, too long or non-printable code.
 * @example
 * ```ts
 * import { encodeErrorReply } from "./encode_control_message.ts";
 * const b = encodeErrorReply({ id: new Uint8Array(8), code: "E", message: "x" });
 * console.assert(b.length === 12 && b[9] === 1);
 * ```
 */
export function encodeErrorReply(
  fields: ErrorReplyFields,
  target?: Uint8Array,
  offset = 0,
): Uint8Array {
  assertRequestId(fields.id);
  if (fields.code.length === 0) {
    throw new RangeError("an error code needs 1 to 255 bytes, got 0");
  }
  assertPrintableAscii(fields.code, "error code");
  const message = fields.message ?? "";
  const messageLength = typeof message === "string" ? utf8Length(message) : message.length;
  const messageOffset = 10 + fields.code.length;
  const out = messageBuffer(messageOffset + messageLength, target, offset);
  out[0] = MessageType.ErrorReply;
  out.set(fields.id, 1);
  out[9] = fields.code.length;
  writeAscii(fields.code, out, 10);
  if (typeof message === "string") writeUtf8(message, out, messageOffset);
  else out.set(message, messageOffset);
  return out;
}

/**
 * The type bytes of the special replies that carry only the request id.
 *
 * @example
 * ```ts
 * import type { SpecialReplyType } from "./encode_control_message.ts";
 * const t: SpecialReplyType = 1;
 * console.assert(t === 1);
 * ```
 */
export type SpecialReplyType = 1 | 2 | 3 | 4 | 5;

/**
 * Encodes a special reply (types 1 to 5): shutdown, internal error, session not found, max
 * session connections reached or sessions disabled: `type, id[8]`.
 *
 * @example
 * ```ts
 * import { encodeSpecialReply } from "./encode_control_message.ts";
 * import { MessageType } from "./message_type.ts";
 * const b = encodeSpecialReply(MessageType.ShutdownReply, new Uint8Array(8));
 * console.assert(b.length === 9 && b[0] === 1);
 * ```
 */
export function encodeSpecialReply(
  type: SpecialReplyType,
  id: Uint8Array,
  target?: Uint8Array,
  offset = 0,
): Uint8Array {
  if (!(type >= 1 && type <= 5 && Number.isInteger(type))) {
    throw new RangeError(`a special reply type is 1 to 5, got ${type}`);
  }
  return typeAndId(type, id, target, offset);
}

function typeAndId(type: number, id: Uint8Array, target?: Uint8Array, offset = 0): Uint8Array {
  assertRequestId(id);
  const out = messageBuffer(9, target, offset);
  out[0] = type;
  out.set(id, 1);
  return out;
}

/**
 * Encodes a close-session request (type 31): `type, id[8]`.
 *
 * @example
 * ```ts
 * import { encodeCloseSession } from "./encode_control_message.ts";
 * console.assert(encodeCloseSession(new Uint8Array(8))[0] === 31);
 * ```
 */
export function encodeCloseSession(id: Uint8Array, target?: Uint8Array, offset = 0): Uint8Array {
  return typeAndId(MessageType.CloseSession, id, target, offset);
}

/**
 * Encodes a restore-session request (type 32): `type, id[8], key`.
 *
 * @throws {RangeError} for a bad id or an empty key.
 * @example
 * ```ts
 * import { encodeRestoreSession } from "./encode_control_message.ts";
 * const b = encodeRestoreSession(new Uint8Array(8), "abc");
 * console.assert(b.length === 12 && b[9] === 0x61);
 * ```
 */
export function encodeRestoreSession(
  id: Uint8Array,
  key: string | Uint8Array,
  target?: Uint8Array,
  offset = 0,
): Uint8Array {
  assertRequestId(id);
  if (key.length === 0) throw new RangeError("a session key needs at least 1 byte, got 0");
  if (typeof key === "string") assertPrintableAscii(key, "session key", Infinity);
  const out = messageBuffer(9 + key.length, target, offset);
  out[0] = MessageType.RestoreSession;
  out.set(id, 1);
  writeAscii(key, out, 9);
  return out;
}

/**
 * Encodes a session-created notification (type 21): `type, session JSON`.
 *
 * @example
 * ```ts
 * import { encodeSessionCreated } from "./encode_control_message.ts";
 * console.assert(encodeSessionCreated('{"k":"x"}').length === 10);
 * ```
 */
export function encodeSessionCreated(
  json: string | Uint8Array,
  target?: Uint8Array,
  offset = 0,
): Uint8Array {
  const length = typeof json === "string" ? utf8Length(json) : json.length;
  if (length === 0) throw new RangeError("session JSON needs at least 1 byte, got 0");
  const out = messageBuffer(1 + length, target, offset);
  out[0] = MessageType.SessionCreated;
  if (typeof json === "string") writeUtf8(json, out, 1);
  else out.set(json, 1);
  return out;
}

function singleByte(type: number, target?: Uint8Array, offset = 0): Uint8Array {
  const out = messageBuffer(1, target, offset);
  out[0] = type;
  return out;
}

/**
 * Encodes a session-closed notification (type 22), one byte.
 *
 * @example
 * ```ts
 * import { encodeSessionClosed } from "./encode_control_message.ts";
 * console.assert(encodeSessionClosed()[0] === 22);
 * ```
 */
export function encodeSessionClosed(target?: Uint8Array, offset = 0): Uint8Array {
  return singleByte(MessageType.SessionClosed, target, offset);
}

/**
 * Encodes a heartbeat (type 33), one byte.
 *
 * @example
 * ```ts
 * import { encodeHeartbeat } from "./encode_control_message.ts";
 * console.assert(encodeHeartbeat().length === 1);
 * ```
 */
export function encodeHeartbeat(target?: Uint8Array, offset = 0): Uint8Array {
  return singleByte(MessageType.Heartbeat, target, offset);
}

/**
 * Fields of an accept-conf message.
 *
 * @example
 * ```ts
 * import type { AcceptConfFields } from "./encode_control_message.ts";
 * const c: AcceptConfFields = { readTimeoutMs: 60000, messageBufferSize: 8192 };
 * console.assert(c.readTimeoutMs === 60000);
 * ```
 */
export interface AcceptConfFields {
  /** Major protocol version; default 2. */
  major?: number;
  /** Minor protocol version; default 0. */
  minor?: number;
  /** Read timeout in milliseconds (0 to 2^32 − 1). */
  readTimeoutMs: number;
  /** Largest accepted message in bytes (0 to 2^32 − 1). */
  messageBufferSize: number;
  /** Sub-protocol name; none by default. */
  subProtocol?: string | Uint8Array;
}

function assertU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${what} must be an integer from 0 to 4294967295, got ${value}`);
  }
}

function assertU8(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${what} must be an integer from 0 to 255, got ${value}`);
  }
}

/**
 * Encodes an accept-conf (type 23): `type, major, minor, readTimeoutMs u32 LE,
 * messageBufferSize u32 LE, sub-protocol`.
 *
 * @example
 * ```ts
 * import { encodeAcceptConf } from "./encode_control_message.ts";
 * const b = encodeAcceptConf({ readTimeoutMs: 60000, messageBufferSize: 8192 });
 * console.assert(b.join(",") === "23,2,0,96,234,0,0,0,32,0,0");
 * ```
 */
export function encodeAcceptConf(
  fields: AcceptConfFields,
  target?: Uint8Array,
  offset = 0,
): Uint8Array {
  const major = fields.major ?? 2;
  const minor = fields.minor ?? 0;
  assertU8(major, "major version");
  assertU8(minor, "minor version");
  assertU32(fields.readTimeoutMs, "read timeout");
  assertU32(fields.messageBufferSize, "message buffer size");
  const subProtocol = fields.subProtocol ?? "";
  if (typeof subProtocol === "string") assertPrintableAscii(subProtocol, "sub-protocol", Infinity);
  const out = messageBuffer(11 + subProtocol.length, target, offset);
  out[0] = MessageType.AcceptConf;
  out[1] = major;
  out[2] = minor;
  writeU32(fields.readTimeoutMs, out, 3);
  writeU32(fields.messageBufferSize, out, 7);
  writeAscii(subProtocol, out, 11);
  return out;
}

function writeU32(value: number, out: Uint8Array, at: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  out[at + 3] = (value >>> 24) & 0xff;
}
