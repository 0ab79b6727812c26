/**
 * SHA-1 (FIPS 180-4) of a short Latin-1 string, synchronously: the one digest the WebSocket
 * handshake needs (`sec-websocket-accept`). `crypto.subtle.digest` is asynchronous and costs
 * 6 to 60 µs of CPU per call on Deno and Node, this about 2 to 5 µs, which counts when
 * thousands of clients reconnect at once. SHA-1 is used here only because RFC 6455 prescribes
 * it; nothing secret passes through it.
 *
 * @example
 * ```ts
 * import { sha1 } from "./sha1.ts";
 * const digest = sha1("abc");
 * console.assert(digest.length === 20 && digest[0] === 0xa9 && digest[19] === 0x9d);
 * ```
 * @module
 */

const roundConstants = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc | 0, 0xca62c1d6 | 0];

/** The 80-word message schedule, reused: the digest runs synchronously, one call at a time. */
const schedule = new Int32Array(80);

/**
 * The 20-byte SHA-1 digest of `text`, each character one byte (its low 8 bits).
 *
 * @example
 * ```ts
 * import { sha1 } from "./sha1.ts";
 * const key = "dGhlIHNhbXBsZSBub25jZQ==" + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
 * const accept = btoa(String.fromCharCode(...sha1(key)));
 * console.assert(accept === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // RFC 6455's own example
 * ```
 */
export function sha1(text: string): Uint8Array {
  const length = text.length;
  const words = new Int32Array((((length + 8) >>> 6) + 1) * 16);
  for (let i = 0; i < length; i++) {
    words[i >>> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
  }
  words[length >>> 2] |= 0x80 << (24 - (length & 3) * 8);
  // The length in bits, as the last 64 bits; strings here are far below 2^29 characters.
  words[words.length - 1] = length * 8;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const w = schedule;
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 16; t++) w[t] = words[block + t];
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      const round = (t / 20) | 0;
      const f = round === 0
        ? (b & c) | (~b & d)
        : round === 2
        ? (b & c) | (b & d) | (c & d)
        : b ^ c ^ d;
      const next = (((a << 5) | (a >>> 27)) + f + e + roundConstants[round] + w[t]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const digest = new Uint8Array(20);
  const view = new DataView(digest.buffer);
  view.setInt32(0, h0);
  view.setInt32(4, h1);
  view.setInt32(8, h2);
  view.setInt32(12, h3);
  view.setInt32(16, h4);
  return digest;
}
