/**
 * Signals (types 63, 64, 65): the layout and every signal vector, valid and invalid, in the
 * three encodings, including the UTF-16 padding and alignment cases.
 *
 * @example
 * ```ts
 * import { addSignalVectors } from "./signal.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSignalVectors(set);
 * console.assert(set.vectors.every((v) => v.id.startsWith("signal/")));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, printableName, seq, utf16le } from "./bytes.ts";
import {
  type Built,
  type Encoding,
  encodingOffset,
  encodings,
  nameFields,
  nonPrintable,
} from "./built_message.ts";
import { names, samplePayloads } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Signal: `type, n, name[n], pad if UTF-16 and n odd, payload`; a non-zero `pad` makes it
 * non-canonical.
 *
 * @example
 * ```ts
 * import { signal } from "./signal.ts";
 * const built = signal("utf16", new Uint8Array([0x61]), new Uint8Array([0x42, 0]));
 * console.assert(built.bytes.join() === "65,1,97,0,66,0");
 * ```
 */
export function signal(encoding: Encoding, name: Uint8Array, payload: Uint8Array, pad = 0): Built {
  const padded = encoding === "utf16" && name.length % 2 === 1;
  const layout = (p: number) =>
    cat(63 + encodingOffset[encoding], name.length, name, padded ? [p] : [], payload);
  const bytes = layout(pad);
  return {
    bytes,
    sender: "either",
    expect: {
      type: bytes[0],
      kind: "signal",
      encoding,
      ...nameFields(name),
      payloadHex: toHex(payload),
    },
    nonCanonical: nonPrintable("name", name) ??
      (padded && pad !== 0
        ? { why: "the UTF-16 padding byte is not 0", canonical: layout(0) }
        : undefined),
  };
}

/**
 * Adds every signal vector to `set`.
 *
 * @example
 * ```ts
 * import { addSignalVectors } from "./signal.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSignalVectors(set);
 * console.assert(set.files.has("signal/utf16_len4.bin"));
 * ```
 */
export function addSignalVectors(set: VectorSet): void {
  for (const encoding of encodings) {
    const t = 63 + encodingOffset[encoding];
    for (const [label, name] of names) {
      set.valid(
        `signal/${encoding}_${label}`,
        `${encoding} signal, ${name.length}-byte name${
          encoding === "utf16" && name.length % 2 === 1 ? " and a zero padding byte" : ""
        }, payload`,
        signal(encoding, name, samplePayloads[encoding]),
      );
    }
    if (encoding !== "utf16") {
      set.invalid(
        `signal/${encoding}_len2_empty`,
        "2 bytes, no name, no payload: minimum is 3",
        "either",
        cat(t, 0),
        "too-short",
      );
      set.invalid(
        `signal/${encoding}_len2_name1`,
        "2 bytes claiming a 1-byte name: the minimum of 3 comes first",
        "either",
        cat(t, 1),
        "too-short",
      );
      set.valid(
        `signal/${encoding}_len3_payload1`,
        "3 bytes: no name, 1-byte payload",
        signal(encoding, cat(), cat("x")),
      );
      set.valid(
        `signal/${encoding}_len3_name1`,
        "3 bytes: 1-byte name, no payload",
        signal(encoding, cat("n"), cat()),
      );
      set.valid(
        `signal/${encoding}_len4`,
        "4 bytes: 1-byte name, 1-byte payload",
        signal(encoding, cat("n"), cat("x")),
      );
      set.invalid(
        `signal/${encoding}_name_truncated`,
        "name length 5 with 2 name bytes",
        "either",
        cat(t, 5, "ab"),
        "name-overflow",
      );
      set.invalid(
        `signal/${encoding}_name255_truncated`,
        "name length 255 with 254 name bytes",
        "either",
        cat(t, 255, printableName(254)),
        "name-overflow",
      );
      set.valid(
        `signal/${encoding}_name255_no_payload`,
        "255-byte name and no payload",
        signal(encoding, printableName(255), cat()),
      );
    }
  }
  set.valid(
    "signal/utf8_invalid_utf8_payload",
    "UTF-8 signal whose payload is not valid UTF-8: the codec does not check payload text",
    signal("utf8", cat("bad"), cat(0xc3, 0x28, 0xff)),
  );
  set.valid(
    "signal/binary_name_nonprintable",
    "name bytes 0x00, 0x7f and 0xff: receivers accept them, writers refuse them",
    signal("binary", cat(0x00, 0x7f, 0xff), cat(1)),
  );
  set.valid(
    "signal/binary_large_payload",
    "4096-byte binary payload",
    signal("binary", cat("bulk"), seq(4096, (i) => (i * 31) & 0xff)),
  );

  // UTF-16: minimum 4, even length, name plus padding plus at least one code unit.
  set.invalid(
    "signal/utf16_len3",
    "UTF-16 signal of 3 bytes: minimum is 4",
    "either",
    cat(65, 0, 0x41),
    "too-short",
  );
  set.valid(
    "signal/utf16_len4",
    "UTF-16 signal of 4 bytes: no name, one code unit",
    signal("utf16", cat(), utf16le("A")),
  );
  set.invalid(
    "signal/utf16_len5",
    "UTF-16 signal of 5 bytes: odd total length",
    "either",
    cat(65, 0, 0x41, 0, 0x42),
    "utf16-unaligned",
  );
  set.valid(
    "signal/utf16_len6",
    "UTF-16 signal of 6 bytes: 1-byte name, padding, one code unit",
    signal("utf16", cat("a"), utf16le("B")),
  );
  set.valid(
    "signal/utf16_name3_pad",
    "UTF-16 signal, 3-byte name, zero padding, payload",
    signal("utf16", cat("abc"), utf16le("xyz")),
  );
  set.valid(
    "signal/utf16_name4_nopad",
    "UTF-16 signal, 4-byte name needs no padding",
    signal("utf16", cat("abcd"), utf16le("xyz")),
  );
  set.valid(
    "signal/utf16_surrogates",
    "UTF-16 payload with a surrogate pair and a lone surrogate: not checked",
    signal("utf16", cat("s"), cat(0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8)),
  );
  set.valid(
    "signal/utf16_pad_nonzero",
    "UTF-16 signal whose padding byte is 0xff: accepted, not canonical",
    signal("utf16", cat("a"), utf16le("B"), 0xff),
  );
  set.invalid(
    "signal/utf16_name1_pad_no_payload",
    "1-byte name and padding but no payload: a UTF-16 signal needs a code unit",
    "either",
    cat(65, 1, "a", 0),
    "too-short",
  );
  set.invalid(
    "signal/utf16_name2_no_payload",
    "2-byte name and no payload",
    "either",
    cat(65, 2, "ab"),
    "too-short",
  );
  set.invalid(
    "signal/utf16_name3_no_payload",
    "3-byte name, padding, no payload",
    "either",
    cat(65, 3, "abc", 0),
    "too-short",
  );
  set.invalid(
    "signal/utf16_name1_no_pad",
    "1-byte name without padding, then one code unit: odd length",
    "either",
    cat(65, 1, "a", 0x41, 0),
    "utf16-unaligned",
  );
  set.invalid(
    "signal/utf16_name_truncated",
    "name length 5 with 4 name bytes",
    "either",
    cat(65, 5, "abcd"),
    "name-overflow",
  );
  set.invalid(
    "signal/utf16_name6_truncated",
    "name length 6 with 4 name bytes",
    "either",
    cat(65, 6, "abcd"),
    "name-overflow",
  );
  set.invalid(
    "signal/utf16_name255_unpadded",
    "255-byte name, no padding, no payload: odd length",
    "either",
    cat(65, 255, printableName(255)),
    "utf16-unaligned",
  );
  set.invalid(
    "signal/utf16_name255_pad_no_payload",
    "255-byte name and padding, no payload",
    "either",
    cat(65, 255, printableName(255), 0),
    "too-short",
  );
  set.invalid(
    "signal/utf16_name254_no_payload",
    "254-byte name, no payload",
    "either",
    cat(65, 254, printableName(254)),
    "too-short",
  );
  set.invalid(
    "signal/utf16_odd_payload",
    "1-byte name, padding and a 3-byte payload: odd length",
    "either",
    cat(65, 1, "a", 0, 0x41, 0, 0x42),
    "utf16-unaligned",
  );
  set.invalid(
    "signal/utf16_name2_odd_payload",
    "2-byte name and a 3-byte payload: odd length",
    "either",
    cat(65, 2, "ab", 0x41, 0, 0x42),
    "utf16-unaligned",
  );
}
