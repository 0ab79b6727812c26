/**
 * Byte helpers the vector generator lays messages out with. They are written here, by hand,
 * so that no vector depends on the library's own encoders.
 *
 * @example
 * ```ts
 * import { cat, u32le } from "./bytes.ts";
 * console.assert(cat(23, u32le(1), "ok").length === 7);
 * ```
 * @module
 */

/**
 * One piece of a layout: a byte value, a byte array, or a string of one byte per character.
 *
 * @example
 * ```ts
 * import type { Part } from "./bytes.ts";
 * const parts: Part[] = [1, "ab", [2, 3]];
 * console.assert(parts.length === 3);
 * ```
 */
export type Part = number | string | ArrayLike<number>;

/**
 * Concatenates byte values, byte arrays and strings (one byte per character, < 256); throws a
 * `RangeError` on anything that is not a byte.
 *
 * @example
 * ```ts
 * import { cat } from "./bytes.ts";
 * console.assert(cat(1, "A", [2]).join() === "1,65,2");
 * ```
 */
export function cat(...parts: Part[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "number"
      ? [part]
      : typeof part === "string"
      ? Array.from(part, (c) => c.charCodeAt(0))
      : part
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (!(Number.isInteger(b) && b >= 0 && b <= 255)) throw new RangeError(`not a byte: ${b}`);
      out[at++] = b;
    }
  }
  return out;
}

/**
 * The UTF-8 bytes of a string.
 *
 * @example
 * ```ts
 * import { utf8 } from "./bytes.ts";
 * console.assert(utf8("é").length === 2);
 * ```
 */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * UTF-16 little-endian code units, written by hand.
 *
 * @example
 * ```ts
 * import { utf16le } from "./bytes.ts";
 * console.assert(utf16le("A").join() === "65,0");
 * ```
 */
export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

/**
 * `length` bytes, byte `i` being `byteAt(i)`.
 *
 * @example
 * ```ts
 * import { seq } from "./bytes.ts";
 * console.assert(seq(3, (i) => i * 2).join() === "0,2,4");
 * ```
 */
export function seq(length: number, byteAt: (i: number) => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = byteAt(i);
  return out;
}

/**
 * A printable ASCII name of `length` bytes that uses the whole printable range.
 *
 * @example
 * ```ts
 * import { isPrintable, printableName } from "./bytes.ts";
 * console.assert(isPrintable(printableName(255)));
 * ```
 */
export function printableName(length: number): Uint8Array {
  return seq(length, (i) => 32 + ((i * 7 + 33) % 95));
}

/**
 * A 32-bit unsigned integer as 4 little-endian bytes.
 *
 * @example
 * ```ts
 * import { u32le } from "./bytes.ts";
 * console.assert(u32le(0x01020304).join() === "4,3,2,1");
 * ```
 */
export function u32le(value: number): Uint8Array {
  return cat(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}

/**
 * Whether every byte is printable ASCII (32 to 126), as writers require of names and codes.
 *
 * @example
 * ```ts
 * import { isPrintable } from "./bytes.ts";
 * console.assert(isPrintable(new Uint8Array([32, 126])) && !isPrintable(new Uint8Array([9])));
 * ```
 */
export function isPrintable(bytes: Uint8Array): boolean {
  return bytes.every((b) => b >= 32 && b <= 126);
}

/**
 * The bytes as a string of one character per byte.
 *
 * @example
 * ```ts
 * import { latin1 } from "./bytes.ts";
 * console.assert(latin1(new Uint8Array([104, 105])) === "hi");
 * ```
 */
export function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/**
 * The bytes decoded as UTF-8, or `undefined` when they are not valid UTF-8.
 *
 * @example
 * ```ts
 * import { strictUtf8 } from "./bytes.ts";
 * console.assert(strictUtf8(new Uint8Array([0xc3, 0x28])) === undefined);
 * ```
 */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM: the text is a copy of the bytes, a leading U+FEFF included.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
