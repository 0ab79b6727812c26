/**
 * The WebWire v2 decoder.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([33]));
 * console.assert(m.kind === "heartbeat");
 * ```
 * @module
 */

import {
  AcceptConfMessage,
  CloseSessionMessage,
  ErrorReplyMessage,
  HeartbeatMessage,
  type Message,
  type RequestMessage,
  RestoreSessionMessage,
  SessionClosedMessage,
  SessionCreatedMessage,
  type SignalMessage,
  SpecialReplyMessage,
} from "./message.ts";
import { newReplyMessage, newRequestMessage, newSignalMessage } from "./message_construct.ts";
import { MessageType as T } from "./message_type.ts";
import { ProtocolError } from "./protocol_error.ts";

export type { Message } from "./message.ts";

/**
 * Decodes one WebWire v2 message. Fields are views of `bytes` (no copies), so `bytes` must not
 * be changed while the message is in use.
 *
 * Accepts and rejects exactly what the reference parser (webwire-go `message/parse*.go`)
 * accepts and rejects. Where the reference is lenient, so are we: name, code and key bytes are
 * not checked for printable ASCII, the UTF-16 padding byte may have any value, and special
 * replies (types 1 to 5) may carry bytes after the id, which are ignored.
 *
 * @throws {ProtocolError} for any bytes that are not such a message, never another error.
 * @throws {TypeError} when `bytes` is not a `Uint8Array` (a programming error, not bad input):
 * wrap an `ArrayBuffer` in `new Uint8Array(buffer)`.
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const bytes = new Uint8Array([128, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0x65, 0x63, 0x68, 0x6f, 0x68, 0x69]);
 * const m = decodeMessage(bytes);
 * if (m.kind === "request") {
 *   console.assert(m.nameText === "echo" && m.encoding === "utf8" && m.payload.length === 2);
 * }
 * ```
 */
export function decodeMessage(bytes: Uint8Array): Message {
  if (!(bytes instanceof Uint8Array) && !isForeignUint8Array(bytes)) notBytes(bytes);
  const length = bytes.length;
  if (length === 0) throw new ProtocolError("empty", "expected at least 1 byte, got 0");
  const type = bytes[0];
  switch (type) {
    case T.RequestBinary:
    case T.RequestUtf8:
      return decodeRequest(bytes, length);
    case T.RequestUtf16:
      return decodeRequestUtf16(bytes, length);
    case T.ReplyBinary:
    case T.ReplyUtf8:
      atLeast(bytes, 9, "reply");
      return newReplyMessage(bytes);
    case T.ReplyUtf16:
      atLeast(bytes, 10, "UTF-16 reply");
      evenLength(bytes, "UTF-16 reply");
      return newReplyMessage(bytes);
    case T.SignalBinary:
    case T.SignalUtf8:
      return decodeSignal(bytes, length);
    case T.SignalUtf16:
      return decodeSignalUtf16(bytes, length);
    case T.ErrorReply:
      return decodeErrorReply(bytes, length);
    case T.ShutdownReply:
      atLeast(bytes, 9, "shutdown reply");
      return new SpecialReplyMessage(bytes, "shutdown-reply");
    case T.InternalErrorReply:
      atLeast(bytes, 9, "internal error reply");
      return new SpecialReplyMessage(bytes, "internal-error-reply");
    case T.SessionNotFoundReply:
      atLeast(bytes, 9, "session not found reply");
      return new SpecialReplyMessage(bytes, "session-not-found-reply");
    case T.MaxSessionConnectionsReply:
      atLeast(bytes, 9, "max session connections reply");
      return new SpecialReplyMessage(bytes, "max-session-connections-reply");
    case T.SessionsDisabledReply:
      atLeast(bytes, 9, "sessions disabled reply");
      return new SpecialReplyMessage(bytes, "sessions-disabled-reply");
    case T.SessionCreated:
      atLeast(bytes, 2, "session created notification");
      return new SessionCreatedMessage(bytes);
    case T.SessionClosed:
      exactly(bytes, 1, "session closed notification");
      return new SessionClosedMessage(bytes);
    case T.AcceptConf:
      atLeast(bytes, 11, "accept-conf");
      return new AcceptConfMessage(bytes);
    case T.CloseSession:
      exactly(bytes, 9, "close session request");
      return new CloseSessionMessage(bytes);
    case T.RestoreSession:
      atLeast(bytes, 10, "restore session request");
      return new RestoreSessionMessage(bytes);
    case T.Heartbeat:
      exactly(bytes, 1, "heartbeat");
      return new HeartbeatMessage(bytes);
    default:
      throw new ProtocolError(
        "unknown-type",
        `expected a WebWire v2 message type, got byte ${type}`,
      );
  }
}

// A Uint8Array made in another realm (a vm context, an iframe) fails `instanceof` but is one.
function isForeignUint8Array(value: unknown): boolean {
  return Object.prototype.toString.call(value) === "[object Uint8Array]";
}

function notBytes(value: unknown): never {
  const got = value === null
    ? "null"
    : typeof value === "object"
    ? (value.constructor?.name ?? "an object")
    : typeof value;
  throw new TypeError(
    `decodeMessage takes a Uint8Array, got ${got}; wrap an ArrayBuffer in new Uint8Array(buffer)`,
  );
}

function atLeast(bytes: Uint8Array, minimum: number, what: string): void {
  if (bytes.length < minimum) {
    throw new ProtocolError(
      "too-short",
      `expected a ${what} of at least ${minimum} bytes, got ${bytes.length}`,
    );
  }
}

function exactly(bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.length !== expected) {
    throw new ProtocolError(
      "bad-length",
      `expected a ${what} of exactly ${expected} byte${
        expected === 1 ? "" : "s"
      }, got ${bytes.length}`,
    );
  }
}

function evenLength(bytes: Uint8Array, what: string): void {
  if (bytes.length % 2 !== 0) {
    throw new ProtocolError(
      "utf16-unaligned",
      `expected a ${what} of even length (UTF-16 header padding), got ${bytes.length} bytes`,
    );
  }
}

function nameOverflow(what: string, nameLength: number, needed: number, got: number): never {
  throw new ProtocolError(
    "name-overflow",
    `${what} name of ${nameLength} bytes needs at least ${needed} bytes, got ${got}`,
  );
}

function decodeSignal(bytes: Uint8Array, length: number): SignalMessage {
  atLeast(bytes, 3, "signal");
  const end = 2 + bytes[1];
  if (end > length) nameOverflow("signal", bytes[1], end, length);
  return newSignalMessage(bytes, end);
}

function decodeSignalUtf16(bytes: Uint8Array, length: number): SignalMessage {
  atLeast(bytes, 4, "UTF-16 signal");
  evenLength(bytes, "UTF-16 signal");
  const nameLength = bytes[1];
  const payloadOffset = 2 + nameLength + (nameLength & 1);
  if (payloadOffset > length) nameOverflow("UTF-16 signal", nameLength, payloadOffset, length);
  // The reference parser requires at least one UTF-16 code unit of payload.
  if (payloadOffset + 2 > length) {
    throw new ProtocolError(
      "too-short",
      `expected a UTF-16 signal payload of at least 2 bytes after a ${nameLength}-byte name, got ${
        length - payloadOffset
      }`,
    );
  }
  return newSignalMessage(bytes, payloadOffset);
}

function decodeRequest(bytes: Uint8Array, length: number): RequestMessage {
  atLeast(bytes, 11, "request");
  const end = 10 + bytes[9];
  if (end > length) nameOverflow("request", bytes[9], end, length);
  return newRequestMessage(bytes, end);
}

function decodeRequestUtf16(bytes: Uint8Array, length: number): RequestMessage {
  atLeast(bytes, 11, "UTF-16 request");
  evenLength(bytes, "UTF-16 request");
  const nameLength = bytes[9];
  const payloadOffset = 10 + nameLength + (nameLength & 1);
  if (payloadOffset > length) nameOverflow("UTF-16 request", nameLength, payloadOffset, length);
  return newRequestMessage(bytes, payloadOffset);
}

function decodeErrorReply(bytes: Uint8Array, length: number): ErrorReplyMessage {
  atLeast(bytes, 11, "error reply");
  const codeLength = bytes[9];
  if (codeLength === 0) {
    throw new ProtocolError("empty-error-code", "expected an error code of 1 to 255 bytes, got 0");
  }
  if (10 + codeLength > length) {
    throw new ProtocolError(
      "code-overflow",
      `error code of ${codeLength} bytes needs at least ${10 + codeLength} bytes, got ${length}`,
    );
  }
  return new ErrorReplyMessage(bytes);
}
