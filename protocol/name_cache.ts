/**
 * A small cache of decoded names: a server sees the same few request and signal names over and
 * over, and building a string from bytes costs more than finding it again.
 *
 * @example
 * ```ts
 * import { cachedLatin1Text } from "./name_cache.ts";
 * const bytes = new Uint8Array([0x65, 0x63, 0x68, 0x6f]);
 * console.assert(cachedLatin1Text(bytes, 0, 4) === "echo");
 * console.assert(cachedLatin1Text(bytes, 0, 4) === "echo"); // found, not built again
 * ```
 * @module
 */

import { latin1Text } from "./text.ts";

/** Names longer than this are decoded without the cache. */
const maxCachedLength = 48;
const slotCount = 256;
const slotBytes = new Uint8Array(slotCount * maxCachedLength);
const slotLengths = new Int16Array(slotCount).fill(-1);
const slotTexts: string[] = new Array(slotCount).fill("");

/**
 * Decodes `bytes[start..end)` one byte per character, like `latin1Text`, returning a cached
 * string when the same bytes were decoded recently. A direct-mapped table of 256 slots; a
 * colliding name replaces the older one, so the cache never grows.
 *
 * @example
 * ```ts
 * import { cachedLatin1Text } from "./name_cache.ts";
 * console.assert(cachedLatin1Text(new Uint8Array([0x61, 0x62]), 1, 2) === "b");
 * ```
 */
export function cachedLatin1Text(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return "";
  if (length > maxCachedLength) return latin1Text(bytes, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
  const slot = (hash ^ (hash >>> 8)) & (slotCount - 1);
  const base = slot * maxCachedLength;
  if (slotLengths[slot] === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (slotBytes[base + i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slotTexts[slot];
  }
  const text = latin1Text(bytes, start, end);
  slotBytes.set(bytes.subarray(start, end), base);
  slotLengths[slot] = length;
  slotTexts[slot] = text;
  return text;
}
