/**
 * The conformance runner's view of a codec, and the adapter for this library's codec:
 * `decodeMessage` mapped to manifest field names, `encodeMessage` for the round trip. Other
 * implementations plug in through the same {@link VectorCodec} interface.
 *
 * @example
 * ```ts
 * import { webwireCodec } from "./webwire_codec.ts";
 * const outcome = webwireCodec.decode(new Uint8Array([33]));
 * console.assert("kind" in outcome && outcome.kind === "heartbeat");
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import { encodeMessage } from "../protocol/encode_message.ts";
import type { Message } from "../protocol/message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { toHex, type VectorFields } from "./manifest.ts";

/**
 * What a decoder reports for one message: its fields in manifest form, or that it rejected
 * the bytes (with the reason, if the implementation has one).
 *
 * @example
 * ```ts
 * import type { DecodeOutcome } from "./webwire_codec.ts";
 * const rejected: DecodeOutcome = { invalid: "too-short" };
 * console.assert("invalid" in rejected);
 * ```
 */
export type DecodeOutcome = VectorFields | { invalid: string };

/**
 * A codec under test. `decode` must not throw for invalid input but report `{ invalid }`;
 * `reencode` (optional) decodes and encodes again, for the canonical round-trip check.
 *
 * @example
 * ```ts
 * import type { VectorCodec } from "./webwire_codec.ts";
 * const rejectAll: VectorCodec = { name: "reject-all", decode: () => ({ invalid: "empty" }) };
 * console.assert(rejectAll.reencode === undefined);
 * ```
 */
export interface VectorCodec {
  /** Shown in reports. */
  name: string;
  /** Decodes one message into manifest fields or a rejection. */
  decode(bytes: Uint8Array): DecodeOutcome | Promise<DecodeOutcome>;
  /** Decodes and encodes again; omitted when the implementation has no encoder. */
  reencode?(bytes: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

// ignoreBOM: a text field is a copy of its bytes, a leading U+FEFF included.
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function printable(bytes: Uint8Array): string | undefined {
  let text = "";
  for (const b of bytes) {
    if (b < 32 || b > 126) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

function withText(
  textKey: keyof VectorFields,
  hexKey: keyof VectorFields,
  bytes: Uint8Array,
  text: string | undefined,
): Partial<VectorFields> {
  return text === undefined ? { [hexKey]: toHex(bytes) } : {
    [textKey]: text,
    [hexKey]: toHex(bytes),
  };
}

/**
 * Maps a decoded message to manifest fields.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "../protocol/decode.ts";
 * import { messageFields } from "./webwire_codec.ts";
 * const f = messageFields(decodeMessage(new Uint8Array([64, 1, 0x61, 0x62])));
 * console.assert(f.name === "a" && f.payloadHex === "62");
 * ```
 */
export function messageFields(message: Message): VectorFields {
  const base = { type: message.type, kind: message.kind };
  switch (message.kind) {
    case "signal":
      return {
        ...base,
        encoding: message.encoding,
        ...withText("name", "nameHex", message.name, printable(message.name)),
        payloadHex: toHex(message.payload),
      };
    case "request":
      return {
        ...base,
        idHex: toHex(message.id),
        encoding: message.encoding,
        ...withText("name", "nameHex", message.name, printable(message.name)),
        payloadHex: toHex(message.payload),
      };
    case "reply":
      return {
        ...base,
        idHex: toHex(message.id),
        encoding: message.encoding,
        payloadHex: toHex(message.payload),
      };
    case "error-reply":
      return {
        ...base,
        idHex: toHex(message.id),
        ...withText("errorCode", "errorCodeHex", message.code, printable(message.code)),
        ...withText(
          "errorMessage",
          "errorMessageHex",
          message.message,
          utf8Text(message.message),
        ),
      };
    case "session-created":
      return {
        ...base,
        ...withText("sessionJson", "sessionJsonHex", message.json, utf8Text(message.json)),
      };
    case "accept-conf":
      return {
        ...base,
        major: message.major,
        minor: message.minor,
        readTimeoutMs: message.readTimeoutMs,
        messageBufferSize: message.messageBufferSize,
        ...withText(
          "subProtocol",
          "subProtocolHex",
          message.subProtocol,
          printable(message.subProtocol),
        ),
      };
    case "restore-session":
      return {
        ...base,
        idHex: toHex(message.id),
        ...withText("sessionKey", "sessionKeyHex", message.key, printable(message.key)),
      };
    case "session-closed":
    case "heartbeat":
      return base;
    default:
      // close-session and the five special replies carry only the id.
      return { ...base, idHex: toHex(message.id) };
  }
}

/**
 * This library's codec as a {@link VectorCodec}: a {@link ProtocolError} becomes
 * `{ invalid: reason }`; any other exception propagates (and fails the vector).
 *
 * @example
 * ```ts
 * import { webwireCodec } from "./webwire_codec.ts";
 * const outcome = webwireCodec.decode(new Uint8Array([6]));
 * console.assert("invalid" in outcome && outcome.invalid === "unknown-type");
 * ```
 */
export const webwireCodec: VectorCodec = {
  name: "webwire-ts",
  decode(bytes: Uint8Array): DecodeOutcome {
    try {
      return messageFields(decodeMessage(bytes));
    } catch (error) {
      if (error instanceof ProtocolError) return { invalid: error.reason };
      throw error;
    }
  },
  reencode(bytes: Uint8Array): Uint8Array {
    return encodeMessage(decodeMessage(bytes));
  },
};
