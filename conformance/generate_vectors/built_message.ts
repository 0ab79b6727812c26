/**
 * What every layout function of the generator returns (a {@link Built} message: its bytes and
 * the fields a decoder must find), and the pieces the payload-message layouts share.
 *
 * @example
 * ```ts
 * import type { Built } from "./built_message.ts";
 * const built: Built = {
 *   bytes: new Uint8Array([33]),
 *   sender: "client",
 *   expect: { type: 33, kind: "heartbeat" },
 * };
 * console.assert(built.nonCanonical === undefined);
 * ```
 * @module
 */

import { toHex, type VectorFields, type VectorSender } from "../manifest.ts";
import { isPrintable, latin1 } from "./bytes.ts";

/**
 * A valid message with its decoded fields and, if a writer would not produce it, why.
 *
 * @example
 * ```ts
 * import type { Built } from "./built_message.ts";
 * const padded: Built["nonCanonical"] = { why: "the UTF-16 padding byte is not 0" };
 * console.assert(padded?.canonical === undefined);
 * ```
 */
export interface Built {
  /** The message as sent. */
  bytes: Uint8Array;
  /** The fields a decoder must find in it. */
  expect: VectorFields;
  /** Who may send it. */
  sender: VectorSender;
  /** Absent for canonical messages. */
  nonCanonical?: { why: string; canonical?: Uint8Array };
}

/**
 * The payload encoding of a signal, request or reply.
 *
 * @example
 * ```ts
 * import type { Encoding } from "./built_message.ts";
 * const e: Encoding = "utf16";
 * console.assert(e === "utf16");
 * ```
 */
export type Encoding = "binary" | "utf8" | "utf16";

/**
 * Every encoding, in the order of their type bytes.
 *
 * @example
 * ```ts
 * import { encodings } from "./built_message.ts";
 * console.assert(encodings[2] === "utf16");
 * ```
 */
export const encodings: readonly Encoding[] = ["binary", "utf8", "utf16"];

/**
 * What an encoding adds to the binary type byte of its message kind (signal 63, request 127,
 * reply 191).
 *
 * @example
 * ```ts
 * import { encodingOffset } from "./built_message.ts";
 * console.assert(63 + encodingOffset.utf8 === 64);
 * ```
 */
export const encodingOffset: Record<Encoding, number> = { binary: 0, utf8: 1, utf16: 2 };

/**
 * The manifest fields of a name: its text only when it is printable, its hex always.
 *
 * @example
 * ```ts
 * import { nameFields } from "./built_message.ts";
 * console.assert(nameFields(new Uint8Array([9])).name === undefined);
 * ```
 */
export function nameFields(name: Uint8Array): Pick<VectorFields, "name" | "nameHex"> {
  return isPrintable(name)
    ? { name: latin1(name), nameHex: toHex(name) }
    : { nameHex: toHex(name) };
}

/**
 * Why a message is not canonical when `bytes` (its `what`) are not printable ASCII, which
 * conforming writers refuse; `undefined` when they are.
 *
 * @example
 * ```ts
 * import { nonPrintable } from "./built_message.ts";
 * console.assert(nonPrintable("name", new Uint8Array([0x80])) !== undefined);
 * ```
 */
export function nonPrintable(what: string, bytes: Uint8Array): Built["nonCanonical"] {
  return isPrintable(bytes)
    ? undefined
    : { why: `the ${what} has bytes outside printable ASCII, which conforming writers refuse` };
}
