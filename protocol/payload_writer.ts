/**
 * Sizing and writing of payloads for the encoders: a payload is bytes already in its encoding,
 * or a string that is written straight into the message buffer in the requested encoding.
 *
 * @example
 * ```ts
 * import { payloadLength } from "./payload_writer.ts";
 * console.assert(payloadLength("hi", "utf16") === 4);
 * ```
 * @module
 */

import type { PayloadEncoding } from "./message_type.ts";
import { utf8Length, writeUtf16, writeUtf8 } from "./text.ts";
import { isUint8Array, valueKind } from "./value_kind.ts";

/**
 * A payload to send: bytes (already in the message's encoding) or a string (written as UTF-8
 * for `binary` and `utf8`, as UTF-16LE for `utf16`).
 *
 * @example
 * ```ts
 * import type { PayloadInput } from "./payload_writer.ts";
 * const p: PayloadInput = new Uint8Array([1, 2]);
 * console.assert(p.length === 2);
 * ```
 */
export type PayloadInput = Uint8Array | string;

/**
 * The encoding a payload is sent in when none is given: `utf8` for strings, `binary` for bytes.
 *
 * @example
 * ```ts
 * import { resolveEncoding } from "./payload_writer.ts";
 * console.assert(resolveEncoding("x", undefined) === "utf8");
 * ```
 */
export function resolveEncoding(
  payload: PayloadInput | undefined,
  encoding: PayloadEncoding | undefined,
): PayloadEncoding {
  if (encoding !== undefined) return encoding;
  return typeof payload === "string" ? "utf8" : "binary";
}

/**
 * The byte length of a payload in an encoding; throws a `RangeError` for UTF-16 bytes of odd
 * length, and a `TypeError` for a payload that is neither a string nor a `Uint8Array` (from
 * JavaScript, or through an `any`: an object, a number, an `ArrayBuffer`, a `Uint16Array`).
 *
 * @example
 * ```ts
 * import { payloadLength } from "./payload_writer.ts";
 * console.assert(payloadLength("é", "utf8") === 2);
 * ```
 */
export function payloadLength(
  payload: PayloadInput | undefined,
  encoding: PayloadEncoding,
): number {
  if (payload === undefined) return 0;
  if (typeof payload === "string") {
    return encoding === "utf16" ? payload.length * 2 : utf8Length(payload);
  }
  if (!isUint8Array(payload)) {
    throw new TypeError(
      `a payload must be a string or a Uint8Array, got ${valueKind(payload)} ` +
        "(send an object as JSON.stringify(value), or through @webwire/webwire/typed)",
    );
  }
  if (encoding === "utf16" && payload.length % 2 !== 0) {
    throw new RangeError(
      `UTF-16 payload must have an even byte length, got ${payload.length} bytes`,
    );
  }
  return payload.length;
}

/**
 * Writes a payload sized by {@link payloadLength} into `target` at `offset`.
 *
 * @example
 * ```ts
 * import { writePayload } from "./payload_writer.ts";
 * const b = new Uint8Array(2);
 * writePayload("ok", "utf8", b, 0);
 * console.assert(b[0] === 0x6f);
 * ```
 */
export function writePayload(
  payload: PayloadInput | undefined,
  encoding: PayloadEncoding,
  target: Uint8Array,
  offset: number,
): void {
  if (payload === undefined) return;
  if (typeof payload !== "string") {
    target.set(payload, offset);
  } else if (encoding === "utf16") {
    writeUtf16(payload, target, offset);
  } else {
    writeUtf8(payload, target, offset);
  }
}

/**
 * The buffer an encoder writes into: a new exact-size array, or `size` bytes of `target` from
 * `offset` (for batching several messages into one buffer). Throws a `RangeError` when `offset`
 * is not a whole number from 0 or the message does not fit: `subarray` would turn a `NaN` or
 * fractional offset into a shorter view, and the message would come back empty or cut.
 *
 * @example
 * ```ts
 * import { messageBuffer } from "./payload_writer.ts";
 * console.assert(messageBuffer(3).length === 3);
 * console.assert(messageBuffer(2, new Uint8Array(8), 6).byteOffset === 6);
 * ```
 */
export function messageBuffer(size: number, target?: Uint8Array, offset = 0): Uint8Array {
  if (target === undefined) return new Uint8Array(size);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > target.length) {
    throw new RangeError(
      Number.isInteger(offset) && offset >= 0
        ? `target too small: the message needs ${size} bytes at offset ${offset}, ` +
          `the target has ${target.length}`
        : `offset must be a whole number from 0, got ${offset}`,
    );
  }
  return target.subarray(offset, offset + size);
}
