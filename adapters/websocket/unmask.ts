/**
 * Unmasking a client frame's payload (RFC 6455, section 5.3) into an array of its own.
 *
 * @example
 * ```ts
 * import { unmaskCopy } from "./unmask.ts";
 * // A mask of 1, 2, 3, 4 followed by "hi" masked with it.
 * const frame = new Uint8Array([1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2]);
 * console.assert(new TextDecoder().decode(unmaskCopy(frame, 0, 2)) === "hi");
 * ```
 * @module
 */

/** Payloads from this size on are unmasked four bytes at a time. */
const wordwiseFrom = 64;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The `length` bytes after the 4-byte mask at `maskAt` in `bytes`, unmasked, in a new array
 * (whose `.buffer` holds nothing else). `bytes` is not changed.
 *
 * @example
 * ```ts
 * import { unmaskCopy } from "./unmask.ts";
 * const mask = [0x37, 0xfa, 0x21, 0x3d];
 * const payload = new Uint8Array(100).map((_, i) => i);
 * const frame = new Uint8Array([...mask, ...payload.map((b, i) => b ^ mask[i % 4])]);
 * const unmasked = unmaskCopy(frame, 0, 100);
 * console.assert(unmasked.every((b, i) => b === i) && unmasked.buffer.byteLength === 100);
 * ```
 */
export function unmaskCopy(bytes: Uint8Array, maskAt: number, length: number): Uint8Array {
  const m0 = bytes[maskAt];
  const m1 = bytes[maskAt + 1];
  const m2 = bytes[maskAt + 2];
  const m3 = bytes[maskAt + 3];
  const start = maskAt + 4;
  const out = new Uint8Array(length);
  if (length < wordwiseFrom || !littleEndian) {
    for (let i = 0; i < length; i++) {
      const m = (i & 3) === 0 ? m0 : (i & 3) === 1 ? m1 : (i & 3) === 2 ? m2 : m3;
      out[i] = bytes[start + i] ^ m;
    }
    return out;
  }
  out.set(bytes.subarray(start, start + length));
  // `out` starts its own buffer, so its words are aligned and line up with the mask.
  const words = new Uint32Array(out.buffer, 0, length >>> 2);
  const mask = (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0;
  for (let i = 0; i < words.length; i++) words[i] ^= mask;
  for (let i = length & ~3; i < length; i++) {
    out[i] ^= (i & 3) === 0 ? m0 : (i & 3) === 1 ? m1 : m2;
  }
  return out;
}
