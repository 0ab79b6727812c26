/**
 * Joining byte chunks read or produced piece by piece into one array. Internal to the adapters.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./concat_bytes.ts";
 * const whole = concatBytes([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * console.assert(whole.join() === "1,2,3");
 * ```
 * @module
 */

/**
 * The chunks one after the other in a new array; a lone chunk is returned as it is.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./concat_bytes.ts";
 * const only = new Uint8Array([7]);
 * console.assert(concatBytes([only]) === only && concatBytes([]).length === 0);
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}
