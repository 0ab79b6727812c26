/**
 * Special replies (types 1 to 5: shutdown, internal error, session not found, max session
 * connections, sessions disabled): the layout and every special-reply vector.
 *
 * @example
 * ```ts
 * import { addSpecialReplyVectors } from "./special_reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSpecialReplyVectors(set);
 * console.assert(set.vectors.length === 25);
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, seq } from "./bytes.ts";
import type { Built } from "./built_message.ts";
import { ids } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * The manifest kind of each special reply type.
 *
 * @example
 * ```ts
 * import { specialKinds } from "./special_reply.ts";
 * console.assert(specialKinds[3] === "session-not-found-reply");
 * ```
 */
export const specialKinds: Record<number, string> = {
  1: "shutdown-reply",
  2: "internal-error-reply",
  3: "session-not-found-reply",
  4: "max-session-connections-reply",
  5: "sessions-disabled-reply",
};

/**
 * Special reply: `type, id[8]`; bytes after the id are ignored by receivers, and make the
 * message non-canonical.
 *
 * @example
 * ```ts
 * import { specialReply } from "./special_reply.ts";
 * const built = specialReply(1, new Uint8Array(8), new Uint8Array([0xaa]));
 * console.assert(built.nonCanonical?.canonical?.length === 9);
 * ```
 */
export function specialReply(type: number, id: Uint8Array, trailing: Uint8Array = cat()): Built {
  return {
    bytes: cat(type, id, trailing),
    sender: "server",
    expect: { type, kind: specialKinds[type], idHex: toHex(id) },
    nonCanonical: trailing.length > 0
      ? { why: "bytes after the id, which receivers ignore", canonical: cat(type, id) }
      : undefined,
  };
}

/**
 * Adds every special-reply vector to `set`.
 *
 * @example
 * ```ts
 * import { addSpecialReplyVectors } from "./special_reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSpecialReplyVectors(set);
 * console.assert(set.files.has("special-reply/shutdown-reply_len9.bin"));
 * ```
 */
export function addSpecialReplyVectors(set: VectorSet): void {
  for (let type = 1; type <= 5; type++) {
    const kind = specialKinds[type];
    set.invalid(
      `special-reply/${kind}_len8`,
      `${kind} of 8 bytes: minimum is 9`,
      "server",
      cat(type, ids.first.subarray(0, 7)),
      "too-short",
    );
    set.invalid(
      `special-reply/${kind}_len1`,
      `${kind}: the type byte alone`,
      "server",
      cat(type),
      "too-short",
    );
    set.valid(
      `special-reply/${kind}_len9`,
      `${kind} of 9 bytes`,
      specialReply(type, ids.ascending),
    );
    set.valid(
      `special-reply/${kind}_len10`,
      `${kind} with 1 trailing byte: ignored, not canonical`,
      specialReply(type, ids.ascending, cat(0xaa)),
    );
    set.valid(
      `special-reply/${kind}_trailing`,
      `${kind} with 16 trailing bytes: ignored, not canonical`,
      specialReply(type, ids.max, seq(16, (i) => i)),
    );
  }
}
