/**
 * The key under which a connection remembers a pending request's id, to refuse an id reused
 * while its request is pending.
 *
 * @example
 * ```ts
 * import { pendingRequestKey } from "./pending_request_key.ts";
 * const request = new Uint8Array([1, 7, 0, 0, 0, 0, 0, 0, 0]);
 * console.assert(pendingRequestKey(request) === 7);
 * ```
 * @module
 */

import { requestIdKey } from "../protocol/request_id.ts";

/**
 * The id of the request message `bytes` (its bytes 1 to 8) as a number, or as an exact
 * string beyond 2^53, where numbers lose bits (such ids are not made by a counter).
 *
 * @example
 * ```ts
 * import { pendingRequestKey } from "./pending_request_key.ts";
 * const top = new Uint8Array([1, 255, 255, 255, 255, 255, 255, 255, 255]); // id 2^64 - 1
 * const below = new Uint8Array([1, 254, 255, 255, 255, 255, 255, 255, 255]); // id 2^64 - 2
 * // As numbers both would be 2^64; as keys they stay apart.
 * console.assert(pendingRequestKey(top) === "\xff".repeat(8));
 * console.assert(pendingRequestKey(below) === "\xfe" + "\xff".repeat(7));
 * ```
 */
export function pendingRequestKey(bytes: Uint8Array): number | string {
  const key = requestIdKey(bytes, 1);
  if (key <= Number.MAX_SAFE_INTEGER) return key;
  // Eight arguments, not a spread of a view: a spread iterates and cost about 1 µs a request
  // on Deno for a client whose ids are random bytes.
  return String.fromCharCode(
    bytes[1],
    bytes[2],
    bytes[3],
    bytes[4],
    bytes[5],
    bytes[6],
    bytes[7],
    bytes[8],
  );
}
