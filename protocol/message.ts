/**
 * Decoded WebWire v2 messages. Every variable-length field is a `subarray` view of the decoded
 * bytes, made when the field is read: decoding never copies, and a 1 MiB payload costs what a
 * 16-byte one does. Each read of a view getter returns a fresh view of the same bytes.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const message = decodeMessage(new Uint8Array([64, 1, 0x61, 0x62]));
 * if (message.kind === "signal") console.assert(message.nameText === "a");
 * ```
 * @module
 */

import { encodingOfType, type PayloadEncoding } from "./message_type.ts";
import { latin1Text } from "./text.ts";
import { cachedLatin1Text } from "./name_cache.ts";

/**
 * Common part of all decoded messages: the bytes they were decoded from and their type byte.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * console.assert(decodeMessage(new Uint8Array([33])).type === 33);
 * ```
 */
export abstract class DecodedMessage {
  /** The whole message as received. */
  declare readonly bytes: Uint8Array;
  /** Wraps already validated bytes; use `decodeMessage` instead. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  /** The type byte (first byte). */
  get type(): number {
    return this.bytes[0];
  }
}

/**
 * Common part of messages that carry an 8-byte request identifier at offset 1.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([1, 7, 0, 0, 0, 0, 0, 0, 0]));
 * if (m.kind === "shutdown-reply") console.assert(m.id[0] === 7);
 * ```
 */
export abstract class IdentifiedMessage extends DecodedMessage {
  /** Wraps already validated bytes; use `decodeMessage` instead. */
  constructor(bytes: Uint8Array) {
    super(bytes);
  }
  /** The 8-byte request identifier (a view). */
  get id(): Uint8Array {
    return this.bytes.subarray(1, 9);
  }
}

/**
 * A one-way signal (types 63, 64, 65), sent by either side.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([63, 0, 7]));
 * if (m.kind === "signal") console.assert(m.payload[0] === 7);
 * ```
 */
export class SignalMessage extends DecodedMessage {
  /** Discriminant. */
  declare readonly kind: "signal";
  /** Offset of the payload (after name and UTF-16 padding). */
  declare readonly payloadOffset: number;
  /** Wraps already validated bytes; use {@link decodeMessage} instead. */
  constructor(bytes: Uint8Array, payloadOffset: number) {
    super(bytes);
    this.kind = "signal";
    this.payloadOffset = payloadOffset;
  }
  /** The payload encoding given by the type byte. */
  get encoding(): PayloadEncoding {
    return encodingOfType(this.bytes[0]);
  }
  /** The name bytes (printable ASCII when sent by a conforming writer). */
  get name(): Uint8Array {
    return this.bytes.subarray(2, 2 + this.bytes[1]);
  }
  /** The name as a string, each byte one character. */
  get nameText(): string {
    return cachedLatin1Text(this.bytes, 2, 2 + this.bytes[1]);
  }
  /** The payload bytes in {@link SignalMessage.encoding}. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset);
  }
}

/**
 * A request (types 127, 128, 129), sent by a client.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([127, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x71]));
 * if (m.kind === "request") console.assert(m.nameText === "q" && m.payload.length === 0);
 * ```
 */
export class RequestMessage extends IdentifiedMessage {
  /** Discriminant. */
  declare readonly kind: "request";
  /** Offset of the payload (after name and UTF-16 padding). */
  declare readonly payloadOffset: number;
  /** Wraps already validated bytes; use {@link decodeMessage} instead. */
  constructor(bytes: Uint8Array, payloadOffset: number) {
    super(bytes);
    this.kind = "request";
    this.payloadOffset = payloadOffset;
  }
  /** The payload encoding given by the type byte. */
  get encoding(): PayloadEncoding {
    return encodingOfType(this.bytes[0]);
  }
  /** The name bytes. */
  get name(): Uint8Array {
    return this.bytes.subarray(10, 10 + this.bytes[9]);
  }
  /** The name as a string, each byte one character. */
  get nameText(): string {
    return cachedLatin1Text(this.bytes, 10, 10 + this.bytes[9]);
  }
  /** The payload bytes in {@link RequestMessage.encoding}. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset);
  }
}

/**
 * A reply carrying a payload (types 191, 192, 193), sent by a server.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([191, 1, 0, 0, 0, 0, 0, 0, 0]));
 * if (m.kind === "reply") console.assert(m.payload.length === 0);
 * ```
 */
export class ReplyMessage extends IdentifiedMessage {
  /** Discriminant. */
  declare readonly kind: "reply";
  /** Wraps already validated bytes; use {@link decodeMessage} instead. */
  constructor(bytes: Uint8Array) {
    super(bytes);
    this.kind = "reply";
  }
  /** The payload encoding given by the type byte. */
  get encoding(): PayloadEncoding {
    return encodingOfType(this.bytes[0]);
  }
  /** The payload bytes in {@link ReplyMessage.encoding}. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.bytes[0] === 193 ? 10 : 9);
  }
}

/**
 * An error reply (type 0): a request failed with a code and a message.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x45]));
 * if (m.kind === "error-reply") console.assert(m.codeText === "E" && m.messageText === "");
 * ```
 */
export class ErrorReplyMessage extends IdentifiedMessage {
  /** Discriminant. */
  readonly kind = "error-reply" as const;
  /** The error code bytes (1 to 255). */
  get code(): Uint8Array {
    return this.bytes.subarray(10, 10 + this.bytes[9]);
  }
  /** The error code as a string, each byte one character. */
  get codeText(): string {
    return cachedLatin1Text(this.bytes, 10, 10 + this.bytes[9]);
  }
  /** The UTF-8 error message bytes (may be empty). */
  get message(): Uint8Array {
    return this.bytes.subarray(10 + this.bytes[9]);
  }
  /** The error message decoded from UTF-8. */
  get messageText(): string {
    return utf8Decoder.decode(this.message);
  }
}

// ignoreBOM: a message that starts with U+FEFF keeps it, as the Go reference does.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Kinds of the special replies (types 1 to 5) that carry nothing but the request id.
 *
 * @example
 * ```ts
 * import type { SpecialReplyKind } from "./message.ts";
 * const k: SpecialReplyKind = "shutdown-reply";
 * console.assert(k.endsWith("-reply"));
 * ```
 */
export type SpecialReplyKind =
  | "shutdown-reply"
  | "internal-error-reply"
  | "session-not-found-reply"
  | "max-session-connections-reply"
  | "sessions-disabled-reply";

/**
 * A special reply (types 1 to 5): shutdown, internal error, session not found, max session
 * connections reached, sessions disabled. Bytes after the id are ignored, as by the reference.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0, 0]));
 * console.assert(m.kind === "shutdown-reply");
 * ```
 */
export class SpecialReplyMessage<K extends SpecialReplyKind = SpecialReplyKind>
  extends IdentifiedMessage {
  /** Discriminant. */
  readonly kind: K;
  /** Wraps already validated bytes; use {@link decodeMessage} instead. */
  constructor(bytes: Uint8Array, kind: K) {
    super(bytes);
    this.kind = kind;
  }
}

/**
 * Session-created notification (type 21) carrying the session JSON.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([21, 0x7b, 0x7d]));
 * if (m.kind === "session-created") console.assert(m.json.length === 2);
 * ```
 */
export class SessionCreatedMessage extends DecodedMessage {
  /** Discriminant. */
  readonly kind = "session-created" as const;
  /** The UTF-8 session JSON bytes. */
  get json(): Uint8Array {
    return this.bytes.subarray(1);
  }
}

/**
 * Session-closed notification (type 22), exactly one byte.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * console.assert(decodeMessage(new Uint8Array([22])).kind === "session-closed");
 * ```
 */
export class SessionClosedMessage extends DecodedMessage {
  /** Discriminant. */
  readonly kind = "session-closed" as const;
}

/**
 * Heartbeat (type 33), exactly one byte, sent by clients to keep the connection alive.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * console.assert(decodeMessage(new Uint8Array([33])).kind === "heartbeat");
 * ```
 */
export class HeartbeatMessage extends DecodedMessage {
  /** Discriminant. */
  readonly kind = "heartbeat" as const;
}

/**
 * Close-session request (type 31): `type, id[8]`, exactly 9 bytes.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([31, 9, 0, 0, 0, 0, 0, 0, 0]));
 * if (m.kind === "close-session") console.assert(m.id[0] === 9);
 * ```
 */
export class CloseSessionMessage extends IdentifiedMessage {
  /** Discriminant. */
  readonly kind = "close-session" as const;
}

/**
 * Restore-session request (type 32): `type, id[8], key`.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([32, 1, 0, 0, 0, 0, 0, 0, 0, 0x6b]));
 * if (m.kind === "restore-session") console.assert(m.keyText === "k");
 * ```
 */
export class RestoreSessionMessage extends IdentifiedMessage {
  /** Discriminant. */
  readonly kind = "restore-session" as const;
  /** The session key bytes. */
  get key(): Uint8Array {
    return this.bytes.subarray(9);
  }
  /** The session key as a string, each byte one character. */
  get keyText(): string {
    return latin1Text(this.bytes, 9, this.bytes.length);
  }
}

/**
 * Accept-conf (type 23): the server's first message, with its protocol version, read timeout,
 * message buffer size and sub-protocol name.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * const m = decodeMessage(new Uint8Array([23, 2, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]));
 * if (m.kind === "accept-conf") console.assert(m.readTimeoutMs === 60000);
 * ```
 */
export class AcceptConfMessage extends DecodedMessage {
  /** Discriminant. */
  readonly kind = "accept-conf" as const;
  /** Major protocol version (2 for this protocol). */
  get major(): number {
    return this.bytes[1];
  }
  /** Minor protocol version. */
  get minor(): number {
    return this.bytes[2];
  }
  /** The server's read timeout in milliseconds. */
  get readTimeoutMs(): number {
    return readU32(this.bytes, 3);
  }
  /** The largest message in bytes the server accepts. */
  get messageBufferSize(): number {
    return readU32(this.bytes, 7);
  }
  /** The sub-protocol name bytes (empty for none). */
  get subProtocol(): Uint8Array {
    return this.bytes.subarray(11);
  }
  /** The sub-protocol name as a string, each byte one character. */
  get subProtocolText(): string {
    return latin1Text(this.bytes, 11, this.bytes.length);
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

/**
 * Every decoded WebWire v2 message, discriminated by `kind`.
 *
 * @example
 * ```ts
 * import { decodeMessage, type Message } from "./decode.ts";
 * const m: Message = decodeMessage(new Uint8Array([33]));
 * console.assert(m.kind === "heartbeat");
 * ```
 */
export type Message =
  | SignalMessage
  | RequestMessage
  | ReplyMessage
  | ErrorReplyMessage
  | SpecialReplyMessage
  | SessionCreatedMessage
  | SessionClosedMessage
  | AcceptConfMessage
  | CloseSessionMessage
  | RestoreSessionMessage
  | HeartbeatMessage;
