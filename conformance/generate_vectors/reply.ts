/**
 * Payload replies (types 191, 192, 193): the layout and every reply vector, valid and invalid,
 * in the three encodings, including the UTF-16 padding byte.
 *
 * @example
 * ```ts
 * import { addReplyVectors } from "./reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addReplyVectors(set);
 * console.assert(set.vectors.every((v) => v.sender === "server"));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, utf16le, utf8 } from "./bytes.ts";
import { type Built, type Encoding, encodingOffset, encodings } from "./built_message.ts";
import { ids, samplePayloads, sessionJsonText } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Reply: `type, id[8], pad if UTF-16, payload`; a non-zero `pad` makes it non-canonical.
 *
 * @example
 * ```ts
 * import { reply } from "./reply.ts";
 * const built = reply("utf16", new Uint8Array(8), new Uint8Array(), 1);
 * console.assert(built.bytes.length === 10 && built.nonCanonical !== undefined);
 * ```
 */
export function reply(encoding: Encoding, id: Uint8Array, payload: Uint8Array, pad = 0): Built {
  const layout = (p: number) =>
    cat(191 + encodingOffset[encoding], id, encoding === "utf16" ? [p] : [], payload);
  const bytes = layout(pad);
  return {
    bytes,
    sender: "server",
    expect: {
      type: bytes[0],
      kind: "reply",
      idHex: toHex(id),
      encoding,
      payloadHex: toHex(payload),
    },
    nonCanonical: encoding === "utf16" && pad !== 0
      ? { why: "the UTF-16 padding byte is not 0", canonical: layout(0) }
      : undefined,
  };
}

/**
 * Adds every payload reply vector to `set`.
 *
 * @example
 * ```ts
 * import { addReplyVectors } from "./reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addReplyVectors(set);
 * console.assert(set.files.has("reply/utf16_len10.bin"));
 * ```
 */
export function addReplyVectors(set: VectorSet): void {
  for (const encoding of encodings) {
    const t = 191 + encodingOffset[encoding];
    set.valid(
      `reply/${encoding}_payload`,
      `${encoding} reply with a payload`,
      reply(encoding, ids.first, samplePayloads[encoding]),
    );
    set.valid(
      `reply/${encoding}_empty`,
      `${encoding} reply with an empty payload`,
      reply(encoding, ids.max, cat()),
    );
    set.invalid(`reply/${encoding}_len1`, "the type byte alone", "server", cat(t), "too-short");
  }
  for (const encoding of ["binary", "utf8"] as const) {
    const t = 191 + encodingOffset[encoding];
    set.invalid(
      `reply/${encoding}_len8`,
      "8 bytes: a 7-byte id; minimum is 9",
      "server",
      cat(t, ids.first.subarray(0, 7)),
      "too-short",
    );
    set.valid(
      `reply/${encoding}_len9`,
      "9 bytes: empty payload",
      reply(encoding, ids.ascending, cat()),
    );
    set.valid(
      `reply/${encoding}_len10`,
      "10 bytes: 1-byte payload",
      reply(encoding, ids.ascending, cat(0x21)),
    );
  }
  set.invalid(
    "reply/utf16_len9",
    "UTF-16 reply of 9 bytes: no padding; minimum is 10",
    "server",
    cat(193, ids.first),
    "too-short",
  );
  set.valid(
    "reply/utf16_len10",
    "UTF-16 reply of 10 bytes: padding, empty payload",
    reply("utf16", ids.ascending, cat()),
  );
  set.invalid(
    "reply/utf16_len11",
    "UTF-16 reply of 11 bytes: odd length",
    "server",
    cat(193, ids.first, 0, 0x41),
    "utf16-unaligned",
  );
  set.valid(
    "reply/utf16_len12",
    "UTF-16 reply of 12 bytes: one code unit",
    reply("utf16", ids.ascending, utf16le("A")),
  );
  set.invalid(
    "reply/utf16_no_pad",
    "UTF-16 reply without padding, one code unit: odd length",
    "server",
    cat(193, ids.first, 0x41, 0),
    "utf16-unaligned",
  );
  set.invalid(
    "reply/utf16_odd_payload",
    "UTF-16 reply with a 3-byte payload: odd length",
    "server",
    cat(193, ids.first, 0, 0x41, 0, 0x42),
    "utf16-unaligned",
  );
  set.valid(
    "reply/utf16_pad_nonzero",
    "UTF-16 reply whose padding byte is 1: accepted, not canonical",
    reply("utf16", ids.first, utf16le("ok"), 1),
  );
  set.valid(
    "reply/binary_empty_close_session_answer",
    "the empty binary reply that answers close-session",
    reply("binary", ids.first, cat()),
  );
  set.valid(
    "reply/utf8_session_json",
    "the UTF-8 reply that answers restore-session with the session JSON",
    reply("utf8", ids.answer, utf8(sessionJsonText)),
  );
}
