/**
 * Base64 of a payload's bytes, both ways: a binary payload printed as text loses every byte that
 * is not UTF-8, its base64 keeps them all (`listen --json`, `call --base64`); and a payload given
 * in base64 (`call`/`signal --payload-base64`) can hold any bytes.
 *
 * @example
 * ```ts
 * import { base64Of, bytesOfBase64 } from "./payload_base64.ts";
 * console.assert(base64Of(new Uint8Array([0xff, 0, 0x80])) === "/wCA");
 * console.assert(bytesOfBase64("/wCA").join() === "255,0,128");
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

/** Standard base64 with its padding: whole groups of four, the last one perhaps padded. */
const padded = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The bytes of standard base64 (RFC 4648: `A-Z`, `a-z`, `0-9`, `+` and `/`, padded with `=`), the
 * inverse of {@link base64Of}. Line breaks are skipped, as `base64` wraps its output at 76
 * characters; anything else outside the alphabet is refused, base64url's `-` and `_` too.
 *
 * @throws {RangeError} naming the first character that is not base64, or saying that the
 * length or the padding is wrong.
 * @example
 * ```ts
 * import { bytesOfBase64 } from "./payload_base64.ts";
 * console.assert(new TextDecoder().decode(bytesOfBase64("aGk=")) === "hi");
 * let refusal = "";
 * try {
 *   bytesOfBase64("a-k="); // base64url
 * } catch (error) {
 *   refusal = (error as RangeError).message;
 * }
 * console.assert(refusal.startsWith('"-" at character 2 is not standard base64'));
 * ```
 */
export function bytesOfBase64(text: string): Uint8Array {
  const stray = /[^A-Za-z0-9+/=\r\n]/.exec(text);
  if (stray !== null) {
    throw new RangeError(
      `${JSON.stringify(stray[0])} at character ${
        stray.index + 1
      } is not standard base64 (A-Z, a-z, 0-9, +, /)`,
    );
  }
  const joined = text.replace(/[\r\n]/g, "");
  if (!padded.test(joined)) {
    throw new RangeError(
      `${joined.length} characters are not padded base64 (groups of 4, "=" only at the end)`,
    );
  }
  const binary = atob(joined);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
