/**
 * Encoders for the messages that carry a payload: signals, requests and replies.
 *
 * @example
 * ```ts
 * import { encodeSignal } from "./encode_payload_message.ts";
 * const bytes = encodeSignal({ name: "hi", payload: "there" });
 * console.assert(bytes[0] === 64 && bytes.length === 9);
 * ```
 * @module
 */

import type { PayloadEncoding } from "./message_type.ts";
import { messageBuffer, type PayloadInput } from "./payload_writer.ts";
import {
  writeReplyMessage,
  writeRequestMessage,
  writeSignalMessage,
} from "./payload_message_writer.ts";

/**
 * Fields of a signal to encode.
 *
 * @example
 * ```ts
 * import type { SignalFields } from "./encode_payload_message.ts";
 * const s: SignalFields = { name: "tick", payload: new Uint8Array([1]) };
 * console.assert(s.name === "tick");
 * ```
 */
export interface SignalFields {
  /** 0 to 255 bytes of printable ASCII; a signal needs a name, a payload or both. */
  name?: string | Uint8Array;
  /** The payload; strings are written in `encoding`. */
  payload?: PayloadInput;
  /** Payload encoding; default `utf8` for a string payload, else `binary`. */
  encoding?: PayloadEncoding;
}

/**
 * Fields of a request to encode.
 *
 * @example
 * ```ts
 * import type { RequestFields } from "./encode_payload_message.ts";
 * const r: RequestFields = { id: new Uint8Array(8), name: "echo" };
 * console.assert(r.id.length === 8);
 * ```
 */
export interface RequestFields extends SignalFields {
  /** The 8-byte request identifier. */
  id: Uint8Array;
}

/**
 * Fields of a reply to encode.
 *
 * @example
 * ```ts
 * import type { ReplyFields } from "./encode_payload_message.ts";
 * const r: ReplyFields = { id: new Uint8Array(8), payload: "ok" };
 * console.assert(r.payload === "ok");
 * ```
 */
export interface ReplyFields {
  /** The 8-byte identifier of the request this answers. */
  id: Uint8Array;
  /** The payload (may be empty); strings are written in `encoding`. */
  payload?: PayloadInput;
  /** Payload encoding; default `utf8` for a string payload, else `binary`. */
  encoding?: PayloadEncoding;
}

/**
 * Encodes a signal (types 63, 64, 65) into one exact-size buffer, or into `target` at `offset`.
 *
 * @throws {RangeError} for a bad name, an unknown encoding, a UTF-16 payload of odd length, or
 * neither name nor payload (also for a UTF-16 signal without payload, which the reference
 * parser rejects).
 * @example
 * ```ts
 * import { encodeSignal } from "./encode_payload_message.ts";
 * const bytes = encodeSignal({ name: "a", payload: "b", encoding: "utf16" });
 * console.assert(bytes.length === 6 && bytes[3] === 0);
 * ```
 */
export function encodeSignal(fields: SignalFields, target?: Uint8Array, offset = 0): Uint8Array {
  return writeSignalMessage(fields, messageBuffer, target, offset);
}

/**
 * Encodes a request (types 127, 128, 129) into one exact-size buffer, or into `target` at
 * `offset`.
 *
 * @throws {RangeError} for a bad id or name, an unknown encoding, a UTF-16 payload of odd
 * length, or neither name nor payload.
 * @example
 * ```ts
 * import { encodeRequest } from "./encode_payload_message.ts";
 * const bytes = encodeRequest({ id: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), name: "q" });
 * console.assert(bytes.length === 11 && bytes[9] === 1);
 * ```
 */
export function encodeRequest(fields: RequestFields, target?: Uint8Array, offset = 0): Uint8Array {
  return writeRequestMessage(fields, messageBuffer, target, offset);
}

/**
 * Encodes a reply (types 191, 192, 193) into one exact-size buffer, or into `target` at
 * `offset`. A UTF-16 reply has one padding byte after the id.
 *
 * @throws {RangeError} for a bad id, an unknown encoding or a UTF-16 payload of odd length.
 * @example
 * ```ts
 * import { encodeReply } from "./encode_payload_message.ts";
 * const bytes = encodeReply({ id: new Uint8Array(8), payload: "ok" });
 * console.assert(bytes[0] === 192 && bytes.length === 11);
 * ```
 */
export function encodeReply(fields: ReplyFields, target?: Uint8Array, offset = 0): Uint8Array {
  return writeReplyMessage(fields, messageBuffer, target, offset);
}
