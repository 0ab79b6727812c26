/**
 * The one table of WebWire v2 message type bytes (the first byte of every message).
 *
 * @example
 * ```ts
 * import { MessageType } from "./message_type.ts";
 * const frame = new Uint8Array([MessageType.Heartbeat]);
 * console.assert(frame[0] === 33);
 * ```
 * @module
 */

/**
 * Type byte of every WebWire v2 message.
 *
 * @example
 * ```ts
 * import { MessageType } from "./message_type.ts";
 * console.assert(MessageType.RequestUtf8 === 128);
 * ```
 */
export const MessageType = {
  ErrorReply: 0,
  ShutdownReply: 1,
  InternalErrorReply: 2,
  SessionNotFoundReply: 3,
  MaxSessionConnectionsReply: 4,
  SessionsDisabledReply: 5,
  SessionCreated: 21,
  SessionClosed: 22,
  AcceptConf: 23,
  CloseSession: 31,
  RestoreSession: 32,
  Heartbeat: 33,
  SignalBinary: 63,
  SignalUtf8: 64,
  SignalUtf16: 65,
  RequestBinary: 127,
  RequestUtf8: 128,
  RequestUtf16: 129,
  ReplyBinary: 191,
  ReplyUtf8: 192,
  ReplyUtf16: 193,
} as const;

/**
 * A type byte from {@link MessageType}.
 *
 * @example
 * ```ts
 * import { MessageType, type MessageTypeByte } from "./message_type.ts";
 * const t: MessageTypeByte = MessageType.SignalUtf16;
 * console.assert(t === 65);
 * ```
 */
export type MessageTypeByte = typeof MessageType[keyof typeof MessageType];

/**
 * The encoding of a payload: raw bytes, UTF-8 text or UTF-16 (little-endian) text.
 *
 * @example
 * ```ts
 * import type { PayloadEncoding } from "./message_type.ts";
 * const e: PayloadEncoding = "utf16";
 * console.assert(e === "utf16");
 * ```
 */
export type PayloadEncoding = "binary" | "utf8" | "utf16";

const encodingsByOffset: readonly PayloadEncoding[] = ["binary", "utf8", "utf16"];

/**
 * The type byte of a signal, request or reply in the given encoding.
 *
 * @example
 * ```ts
 * import { MessageType, typeForEncoding } from "./message_type.ts";
 * console.assert(typeForEncoding(MessageType.ReplyBinary, "utf16") === 193);
 * ```
 */
export function typeForEncoding(
  binaryType:
    | typeof MessageType.SignalBinary
    | typeof MessageType.RequestBinary
    | typeof MessageType.ReplyBinary,
  encoding: PayloadEncoding,
): number {
  // Compared, not looked up: a name like "constructor" would find a property of the object.
  if (encoding === "utf8") return binaryType + 1;
  if (encoding === "binary") return binaryType;
  if (encoding === "utf16") return binaryType + 2;
  throw new RangeError(
    `unknown payload encoding: expected binary, utf8 or utf16, got ${String(encoding)}`,
  );
}

/**
 * The payload encoding of a signal, request or reply type byte.
 *
 * @example
 * ```ts
 * import { encodingOfType } from "./message_type.ts";
 * console.assert(encodingOfType(64) === "utf8");
 * ```
 */
export function encodingOfType(type: number): PayloadEncoding {
  return encodingsByOffset[(type + 1) & 63] ?? "binary";
}
