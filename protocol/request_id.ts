/**
 * Request identifiers: 8 opaque bytes chosen by the requester and echoed in the reply. The
 * reference client counts them up from 1 as an unsigned 64-bit little-endian integer.
 *
 * @example
 * ```ts
 * import { RequestIdCounter } from "./request_id.ts";
 * const ids = new RequestIdCounter();
 * console.assert(ids.next()[0] === 1);
 * ```
 * @module
 */

/**
 * Throws a `RangeError` unless `id` is exactly 8 bytes.
 *
 * @example
 * ```ts
 * import { assertRequestId } from "./request_id.ts";
 * assertRequestId(new Uint8Array(8));
 * ```
 */
export function assertRequestId(id: Uint8Array): void {
  if (!(id instanceof Uint8Array) || id.length !== 8) {
    throw new RangeError(
      `a request id is 8 bytes, got ${id instanceof Uint8Array ? id.length + " bytes" : typeof id}`,
    );
  }
}

/**
 * Reads an 8-byte little-endian id as a number, exact up to 2^53 − 1: a cheap map key for ids
 * made by {@link RequestIdCounter}. Ids beyond 2^53 may share a key.
 *
 * @example
 * ```ts
 * import { requestIdKey } from "./request_id.ts";
 * console.assert(requestIdKey(new Uint8Array([2, 1, 0, 0, 0, 0, 0, 0])) === 258);
 * ```
 */
export function requestIdKey(id: Uint8Array, offset = 0): number {
  // Integer operations only while the id fits in 31 bits, the common case: the result then
  // stays a small integer, which V8 and JSC need not box as a double.
  const low = id[offset] | (id[offset + 1] << 8) | (id[offset + 2] << 16) | (id[offset + 3] << 24);
  const high = id[offset + 4] | (id[offset + 5] << 8) | (id[offset + 6] << 16) |
    (id[offset + 7] << 24);
  if (high === 0 && low >= 0) return low;
  return (high >>> 0) * 0x100000000 + (low >>> 0);
}

/**
 * Writes `value` (0 to 2^53 − 1) as an 8-byte little-endian id.
 *
 * @example
 * ```ts
 * import { requestIdFromNumber } from "./request_id.ts";
 * console.assert(requestIdFromNumber(256)[1] === 1);
 * ```
 */
export function requestIdFromNumber(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`expected an integer from 0 to 2^53 - 1, got ${value}`);
  }
  const id = new Uint8Array(8);
  let low = value % 0x100000000;
  let high = Math.floor(value / 0x100000000);
  for (let i = 0; i < 4; i++) {
    id[i] = low & 0xff;
    low = Math.floor(low / 256);
    id[4 + i] = high & 0xff;
    high = Math.floor(high / 256);
  }
  return id;
}

/**
 * The reference client's id scheme: an incrementing unsigned counter, first id 1, written
 * little-endian.
 *
 * @example
 * ```ts
 * import { RequestIdCounter, requestIdKey } from "./request_id.ts";
 * const ids = new RequestIdCounter();
 * ids.next();
 * console.assert(requestIdKey(ids.next()) === 2);
 * ```
 */
export class RequestIdCounter {
  #last: number;
  /** Starts after `last` (default 0: the first id is 1), e.g. to resume a sequence. */
  constructor(last = 0) {
    if (!Number.isSafeInteger(last) || last < 0) {
      throw new RangeError(`expected an integer from 0 to 2^53 - 1, got ${last}`);
    }
    this.#last = last;
  }
  /** The next id as 8 bytes. */
  next(): Uint8Array {
    this.#last++;
    return requestIdFromNumber(this.#last);
  }
  /**
   * Advances like {@link RequestIdCounter.next}, but writes the id into `target` (8 bytes from
   * `offset`) instead of a new array, and returns its number (its `requestIdKey`): a client
   * makes one per request, and on Deno a new 8-byte array costs more than the rest of it.
   *
   * @example
   * ```ts
   * import { RequestIdCounter } from "./request_id.ts";
   * const ids = new RequestIdCounter();
   * const id = new Uint8Array(8);
   * console.assert(ids.nextInto(id) === 1 && id[0] === 1 && ids.last === 1);
   * ```
   */
  nextInto(target: Uint8Array, offset = 0): number {
    const value = ++this.#last;
    if (value <= 0xffffffff) {
      target[offset] = value;
      target[offset + 1] = value >>> 8;
      target[offset + 2] = value >>> 16;
      target[offset + 3] = value >>> 24;
      for (let i = 4; i < 8; i++) target[offset + i] = 0;
    } else {
      target.set(requestIdFromNumber(value), offset);
    }
    return value;
  }
  /** The number of the id returned last (0 before the first). */
  get last(): number {
    return this.#last;
  }
}
