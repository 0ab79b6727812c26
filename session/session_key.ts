/**
 * The default session keys: 48 bytes from the Web Crypto random source, written as URL-safe
 * base64 (RFC 4648 §5) with `=` padding, as the reference server makes them. 48 bytes are a
 * multiple of 3, so every key is exactly 64 characters of `A-Z a-z 0-9 - _` and never padded.
 * Portable: needs only `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { generateSessionKey, isDefaultSessionKey } from "./session_key.ts";
 * const key = generateSessionKey();
 * console.assert(key.length === 64 && isDefaultSessionKey(key));
 * ```
 * @module
 */

import type { SessionKeyGenerator } from "./session_manager.ts";

const keyBytes = 48;
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const defaultKeyPattern = /^[A-Za-z0-9_-]{64}$/;

/** URL-safe base64 with padding, the encoding of Go's `base64.URLEncoding`. */
function encodeBase64Url(bytes: Uint8Array): string {
  let text = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    text += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] +
      alphabet[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    text += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    text += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + "=";
  }
  return text;
}

/**
 * Makes a new session key: 48 cryptographically random bytes as 64 base64url characters.
 *
 * @returns a key that {@link isDefaultSessionKey} accepts.
 * @example
 * ```ts
 * import { generateSessionKey } from "./session_key.ts";
 * console.assert(generateSessionKey() !== generateSessionKey());
 * ```
 */
export function generateSessionKey(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(keyBytes)));
}

/**
 * Tells whether a string has the form of a default session key: exactly 64 characters of the
 * base64url alphabet. Use it to reject untrusted keys before they reach storage.
 *
 * @example
 * ```ts
 * import { isDefaultSessionKey } from "./session_key.ts";
 * console.assert(isDefaultSessionKey("A".repeat(64)));
 * console.assert(!isDefaultSessionKey("../" + "A".repeat(61)));
 * ```
 */
export function isDefaultSessionKey(key: string): boolean {
  return defaultKeyPattern.test(key);
}

/**
 * The default {@link SessionKeyGenerator}: {@link generateSessionKey} behind the interface.
 *
 * @example
 * ```ts
 * import { DefaultSessionKeyGenerator } from "./session_key.ts";
 * const generator = new DefaultSessionKeyGenerator();
 * console.assert(generator.generate().length === 64);
 * ```
 */
export class DefaultSessionKeyGenerator implements SessionKeyGenerator {
  /** A new random key of 64 base64url characters. */
  generate(): string {
    return generateSessionKey();
  }
}
