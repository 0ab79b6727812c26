/**
 * Byte helpers of the live server suite's checks: hex for reports, comparison, random ids and
 * payloads, and UTF-16 payloads as the reference clients send them.
 *
 * @example
 * ```ts
 * import { hex, randomBytes } from "./server_suite_bytes.ts";
 * console.assert(hex(randomBytes(4)).length === 8);
 * ```
 * @module
 */

/**
 * Lowercase hex of some bytes, shortened to `max` bytes with `...` for reports.
 *
 * @example
 * ```ts
 * import { hex } from "./server_suite_bytes.ts";
 * console.assert(hex(new Uint8Array([1, 255])) === "01ff");
 * ```
 */
export function hex(bytes: Uint8Array, max = 24): string {
  let text = "";
  for (const byte of bytes.subarray(0, max)) text += byte.toString(16).padStart(2, "0");
  return bytes.length > max ? `${text}... (${bytes.length} bytes)` : text;
}

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @example
 * ```ts
 * import { sameBytes } from "./server_suite_bytes.ts";
 * console.assert(sameBytes(new Uint8Array([1]), new Uint8Array([1])));
 * ```
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Fresh random bytes (for request ids and payloads nobody could guess).
 *
 * @example
 * ```ts
 * import { randomBytes } from "./server_suite_bytes.ts";
 * console.assert(randomBytes(8).length === 8);
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * UTF-16 little-endian bytes of a string, as the reference clients send UTF-16 payloads.
 *
 * @example
 * ```ts
 * import { utf16le } from "./server_suite_bytes.ts";
 * console.assert(utf16le("A").join() === "65,0");
 * ```
 */
export function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  return bytes;
}
