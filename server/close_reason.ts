/**
 * WebSocket close reasons: at most 123 bytes of UTF-8, cut at a character boundary.
 *
 * @example
 * ```ts
 * import { truncateUtf8 } from "./close_reason.ts";
 * console.assert(truncateUtf8("é".repeat(100), 5) === "éé");
 * ```
 * @module
 */

/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `bytes` bytes.
 *
 * @example
 * ```ts
 * import { truncateUtf8 } from "./close_reason.ts";
 * console.assert(truncateUtf8("short", 120) === "short");
 * ```
 */
export function truncateUtf8(text: string, bytes: number): string {
  // Most reasons are ASCII and short: no encoding needed.
  if (text.length * 3 <= bytes) return text;
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= bytes) return text;
  let end = bytes;
  // Back up to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && (encoded[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(encoded.subarray(0, end));
}
