/**
 * Base64 of a payload's bytes, for the CLI's JSON lines: a binary payload printed as text loses
 * every byte that is not UTF-8, its base64 keeps them all.
 *
 * @example
 * ```ts
 * import { base64Of } from "./payload_base64.ts";
 * console.assert(base64Of(new Uint8Array([0xff, 0, 0x80])) === "/wCA");
 * ```
 * @module
 */

/** Bytes per `String.fromCharCode` call: well under any engine's argument limit. */
const chunk = 0x8000;

/**
 * The standard base64 (RFC 4648, with padding) of `bytes`.
 *
 * @example
 * ```ts
 * import { base64Of } from "./payload_base64.ts";
 * console.assert(base64Of(new TextEncoder().encode("hi")) === "aGk=");
 * ```
 */
export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += chunk) {
    binary += String.fromCharCode(...bytes.subarray(at, at + chunk));
  }
  return btoa(binary);
}
