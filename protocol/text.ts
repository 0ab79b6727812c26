/**
 * Text helpers of the codec: ASCII names, UTF-8 sizes and UTF-16LE writes, with no copies
 * beyond the one write into the message buffer.
 *
 * @example
 * ```ts
 * import { utf8Length } from "./text.ts";
 * console.assert(utf8Length("é") === 2);
 * ```
 * @module
 */

import { isUint8Array, valueKind } from "./value_kind.ts";

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text, as the Go reference does; without it TextDecoder
// drops it, and a payload "\ufeffhi" would read back as "hi".
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf16Decoder = new TextDecoder("utf-16le", { ignoreBOM: true });

// Longest run passed to String.fromCharCode at once: one argument per byte, and engines throw
// "Maximum call stack size exceeded" somewhere past 100 000 arguments.
const latin1Chunk = 8192;

/**
 * Decodes `bytes[start..end)` one byte per character (ISO-8859-1), the way names, error codes
 * and session keys are read.
 *
 * @example
 * ```ts
 * import { latin1Text } from "./text.ts";
 * console.assert(latin1Text(new Uint8Array([0x68, 0x69]), 0, 2) === "hi");
 * ```
 */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return "";
  if (length <= 64) {
    let text = "";
    for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
    return text;
  }
  if (length <= latin1Chunk) {
    return String.fromCharCode.apply(null, Array.from(bytes.subarray(start, end)));
  }
  return latin1TextChunked(bytes, start, end);
}

function latin1TextChunked(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let at = start; at < end; at += latin1Chunk) {
    const chunk = bytes.subarray(at, Math.min(at + latin1Chunk, end));
    text += String.fromCharCode.apply(null, Array.from(chunk));
  }
  return text;
}

/**
 * The number of bytes `text` takes in UTF-8 (lone surrogates count as U+FFFD, 3 bytes, as
 * `TextEncoder` writes them).
 *
 * @example
 * ```ts
 * import { utf8Length } from "./text.ts";
 * console.assert(utf8Length("a€😀") === 1 + 3 + 4);
 * ```
 */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      length += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2; // 4 bytes for the 2 code units of the pair
        i++;
      } else {
        length += 2;
      }
    } else {
      length += 2;
    }
  }
  return length;
}

/**
 * Writes `text` as UTF-8 into `target` at `offset`; returns the number of bytes written.
 *
 * @example
 * ```ts
 * import { writeUtf8 } from "./text.ts";
 * const buffer = new Uint8Array(4);
 * console.assert(writeUtf8("hé", buffer, 1) === 3 && buffer[1] === 0x68);
 * ```
 */
export function writeUtf8(text: string, target: Uint8Array, offset: number): number {
  if (text.length < 32) {
    let at = offset;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) {
        return utf8Encoder.encodeInto(text, target.subarray(offset)).written;
      }
      target[at++] = unit;
    }
    return text.length;
  }
  return utf8Encoder.encodeInto(text, target.subarray(offset)).written;
}

/**
 * Writes `text` as UTF-16 little-endian code units into `target` at `offset`; returns the
 * number of bytes written (always `2 * text.length`).
 *
 * @example
 * ```ts
 * import { writeUtf16 } from "./text.ts";
 * const buffer = new Uint8Array(2);
 * writeUtf16("A", buffer, 0);
 * console.assert(buffer[0] === 0x41 && buffer[1] === 0);
 * ```
 */
export function writeUtf16(text: string, target: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    target[at++] = unit & 0xff;
    target[at++] = unit >>> 8;
  }
  return text.length * 2;
}

/**
 * Decodes payload bytes to a string according to their encoding: UTF-16 as little-endian,
 * UTF-8 and binary as UTF-8, as `TextDecoder` does. So what is not valid in that encoding
 * becomes U+FFFD: in UTF-16 a lone surrogate (a string sent as UTF-16 keeps its code units
 * exactly in the bytes, but one that is not well-formed does not come back as it was; the Go
 * reference replaces them too), in UTF-8 an invalid sequence. Read `bytes` for the exact units.
 * A leading U+FEFF is kept as a character, not dropped as a byte order mark.
 *
 * @example
 * ```ts
 * import { decodeText } from "./text.ts";
 * console.assert(decodeText(new Uint8Array([0x41, 0]), "utf16") === "A");
 * // "\ud800" alone, a lone high surrogate: its bytes are exact, its text is U+FFFD.
 * console.assert(decodeText(new Uint8Array([0x00, 0xd8, 0x41, 0]), "utf16") === "\ufffdA");
 * ```
 */
export function decodeText(bytes: Uint8Array, encoding: "binary" | "utf8" | "utf16"): string {
  return encoding === "utf16" ? utf16Decoder.decode(bytes) : utf8Decoder.decode(bytes);
}

/**
 * Checks that `name` is 0 to `maxLength` (default 255) bytes of printable ASCII (32 to 126), the
 * rule of the reference writers for names and error codes; throws a `RangeError` saying what is
 * wrong (a `TypeError` when it is neither a string nor bytes).
 *
 * @example
 * ```ts
 * import { assertPrintableAscii } from "./text.ts";
 * assertPrintableAscii("echo", "name");
 * ```
 */
export function assertPrintableAscii(
  name: string | Uint8Array,
  what: string,
  maxLength = 255,
): void {
  if (typeof name !== "string" && !isUint8Array(name)) {
    throw new TypeError(`${what} must be a string, got ${valueKind(name)}`);
  }
  if (name.length > maxLength) {
    throw new RangeError(
      `${what} too long: expected at most ${maxLength} bytes, got ${name.length}`,
    );
  }
  for (let i = 0; i < name.length; i++) {
    const code = typeof name === "string" ? name.charCodeAt(i) : name[i];
    if (code < 32 || code > 126) {
      throw new RangeError(
        `${what} has a character that is not printable ASCII: code ${code} at index ${i}`,
      );
    }
  }
}

/**
 * Writes an ASCII name (already validated) into `target` at `offset`.
 *
 * @example
 * ```ts
 * import { writeAscii } from "./text.ts";
 * const b = new Uint8Array(2);
 * writeAscii("ab", b, 0);
 * console.assert(b[1] === 0x62);
 * ```
 */
export function writeAscii(name: string | Uint8Array, target: Uint8Array, offset: number): void {
  if (typeof name !== "string") {
    target.set(name, offset);
    return;
  }
  for (let i = 0; i < name.length; i++) target[offset + i] = name.charCodeAt(i);
}
