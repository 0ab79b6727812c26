/**
 * How the typed layer puts values on the wire and takes them off: `Uint8Array` as binary
 * payloads, `undefined` as an empty UTF-8 payload, everything else as JSON in UTF-8. Reading,
 * a binary payload is its bytes and a text payload (UTF-8 or UTF-16) is JSON, empty meaning
 * `undefined`.
 *
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { decodeValue, encodeValue } from "@webwire/webwire/typed";
 * const wire = encodeValue({ text: "hi" });
 * console.assert(wire === '{"text":"hi"}');
 * const back = decodeValue(Payload.from(wire)) as { text: string };
 * console.assert(back.text === "hi");
 * ```
 * @module
 */

import type { Payload } from "../protocol/payload.ts";
import { BadPayloadError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16 = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });

/**
 * The wire form of a value: the bytes of a `Uint8Array` (sent as a binary payload), `""` for
 * `undefined` (an empty UTF-8 payload), otherwise its JSON text (sent as UTF-8).
 *
 * @throws {TypeError} when the value cannot be written as JSON (a `BigInt`, a cycle).
 * @example
 * ```ts
 * import { encodeValue } from "@webwire/webwire/typed";
 * console.assert(encodeValue([1, 2]) === "[1,2]");
 * console.assert(encodeValue(undefined) === "");
 * console.assert(encodeValue(new Uint8Array([7])) instanceof Uint8Array);
 * ```
 */
export function encodeValue(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array) return value;
  if (value === undefined) return "";
  // JSON.stringify gives undefined for a function or a symbol: sent as "no value".
  return JSON.stringify(value) ?? "";
}

/**
 * The value a payload carries: a binary payload's bytes (a view, not a copy), `undefined`
 * for an empty text payload, else the text parsed as JSON.
 *
 * @throws {BadPayloadError} when a UTF-8 or UTF-16 payload is not valid text or not JSON.
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { decodeValue } from "@webwire/webwire/typed";
 * console.assert(decodeValue(Payload.from("42")) === 42);
 * console.assert(decodeValue(Payload.from("", "utf16")) === undefined);
 * console.assert(decodeValue(Payload.from(new Uint8Array([1]))) instanceof Uint8Array);
 * ```
 */
export function decodeValue(payload: Payload): unknown {
  if (payload.encoding === "binary") return payload.bytes;
  if (payload.bytes.length === 0) return undefined;
  let text: string;
  try {
    text = (payload.encoding === "utf16" ? utf16 : utf8).decode(payload.bytes);
  } catch {
    throw new BadPayloadError(`the payload is not valid ${payload.encoding} text`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message can quote the input: keep it out of what a client is told.
    throw new BadPayloadError(`the payload is not JSON (${text.length} characters)`);
  }
}
