/**
 * A payload with its encoding, as handlers and clients see it: the bytes (a view, not a copy)
 * and helpers that decode them only when asked.
 *
 * @example
 * ```ts
 * import { Payload } from "./payload.ts";
 * const p = Payload.from("hi", "utf16");
 * console.assert(p.bytes.length === 4 && p.text() === "hi");
 * ```
 * @module
 */

import type { PayloadEncoding } from "./message_type.ts";
import { decodeText, utf8Length, writeUtf16, writeUtf8 } from "./text.ts";

/**
 * Bytes in an encoding (`binary`, `utf8` or `utf16` little-endian).
 *
 * @example
 * ```ts
 * import { Payload } from "./payload.ts";
 * const p = new Payload(new TextEncoder().encode('{"a":1}'), "utf8");
 * console.assert(p.json<{ a: number }>().a === 1);
 * ```
 */
export class Payload {
  /** The payload bytes (often a view into a received message). */
  readonly bytes: Uint8Array;
  /** How the bytes are encoded. */
  readonly encoding: PayloadEncoding;

  /** Wraps bytes that are already in `encoding`. */
  constructor(bytes: Uint8Array, encoding: PayloadEncoding = "binary") {
    this.bytes = bytes;
    this.encoding = encoding;
  }

  /**
   * A payload from bytes (binary unless told) or a string (UTF-8 unless told; `utf16` writes
   * UTF-16LE code units).
   */
  static from(input: Uint8Array | string, encoding?: PayloadEncoding): Payload {
    if (typeof input !== "string") return new Payload(input, encoding ?? "binary");
    const resolved = encoding ?? "utf8";
    if (resolved === "utf16") {
      const bytes = new Uint8Array(input.length * 2);
      writeUtf16(input, bytes, 0);
      return new Payload(bytes, resolved);
    }
    const bytes = new Uint8Array(utf8Length(input));
    writeUtf8(input, bytes, 0);
    return new Payload(bytes, resolved);
  }

  /**
   * The bytes decoded as text: UTF-16LE for `utf16`, UTF-8 otherwise. What is not valid in
   * that encoding becomes U+FFFD, a lone surrogate of a UTF-16 payload included (its
   * `bytes` still hold the exact code units).
   */
  text(): string {
    return decodeText(this.bytes, this.encoding);
  }

  /** The text parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /** The number of payload bytes. */
  get length(): number {
    return this.bytes.length;
  }
}
