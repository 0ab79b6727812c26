/**
 * The sample values several vector families share: request ids, names of the boundary
 * lengths, a payload per encoding, and a session key and session JSON.
 *
 * @example
 * ```ts
 * import { ids, names } from "./samples.ts";
 * console.assert(ids.max.length === 8 && names.length === 5);
 * ```
 * @module
 */

import { cat, printableName, utf16le, utf8 } from "./bytes.ts";
import type { Encoding } from "./built_message.ts";

/**
 * Eight-byte message ids: 1, 42, the bytes 0 to 7, all ones and all zeros.
 *
 * @example
 * ```ts
 * import { ids } from "./samples.ts";
 * console.assert(ids.answer[0] === 42);
 * ```
 */
export const ids: Readonly<Record<"first" | "answer" | "ascending" | "max" | "zero", Uint8Array>> =
  {
    first: cat(1, 0, 0, 0, 0, 0, 0, 0),
    answer: cat(0x2a, 0, 0, 0, 0, 0, 0, 0),
    ascending: cat(0, 1, 2, 3, 4, 5, 6, 7),
    max: cat(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
    zero: cat(0, 0, 0, 0, 0, 0, 0, 0),
  };

/**
 * Names of the boundary lengths 0, 1, 2, 254 and 255, each with its label in vector ids.
 *
 * @example
 * ```ts
 * import { names } from "./samples.ts";
 * console.assert(names.every(([label, name]) => label === `name${name.length}`));
 * ```
 */
export const names: [string, Uint8Array][] = [
  ["name0", cat()],
  ["name1", cat("a")],
  ["name2", cat("ab")],
  ["name254", printableName(254)],
  ["name255", printableName(255)],
];

/**
 * A payload per encoding: every kind of byte, multi-byte UTF-8, UTF-16 with a surrogate pair.
 *
 * @example
 * ```ts
 * import { samplePayloads } from "./samples.ts";
 * console.assert(samplePayloads.utf16.length % 2 === 0);
 * ```
 */
export const samplePayloads: Record<Encoding, Uint8Array> = {
  binary: cat(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff),
  utf8: utf8("héllo wörld ✓ 😀"),
  utf16: utf16le("héllo 😀"),
};

/**
 * A 64-character session key.
 *
 * @example
 * ```ts
 * import { sessionKeyText } from "./samples.ts";
 * console.assert(sessionKeyText.length === 64);
 * ```
 */
export const sessionKeyText = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghijklmnopqrstuvwxyz";

/**
 * Session JSON with {@link sessionKeyText} and nanosecond timestamps, without info.
 *
 * @example
 * ```ts
 * import { sessionJsonText } from "./samples.ts";
 * console.assert(JSON.parse(sessionJsonText).i === undefined);
 * ```
 */
export const sessionJsonText: string =
  `{"k":"${sessionKeyText}","c":"2024-05-01T12:00:00.123456789Z","l":"2024-05-01T12:30:00.5Z"}`;
