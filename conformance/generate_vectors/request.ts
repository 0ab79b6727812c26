/**
 * Requests (types 127, 128, 129): the layout and every request vector, valid and invalid, in
 * the three encodings, including the UTF-16 padding and alignment cases.
 *
 * @example
 * ```ts
 * import { addRequestVectors } from "./request.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addRequestVectors(set);
 * console.assert(set.vectors.every((v) => v.sender === "client"));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, printableName, utf16le, utf8 } from "./bytes.ts";
import {
  type Built,
  type Encoding,
  encodingOffset,
  encodings,
  nameFields,
  nonPrintable,
} from "./built_message.ts";
import { ids, names, samplePayloads } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Request: `type, id[8], n, name[n], pad if UTF-16 and n odd, payload`; a non-zero `pad` makes
 * it non-canonical.
 *
 * @example
 * ```ts
 * import { request } from "./request.ts";
 * const id = new Uint8Array(8);
 * console.assert(request("binary", id, new Uint8Array([0x71]), new Uint8Array()).bytes.length === 11);
 * ```
 */
export function request(
  encoding: Encoding,
  id: Uint8Array,
  name: Uint8Array,
  payload: Uint8Array,
  pad = 0,
): Built {
  const padded = encoding === "utf16" && name.length % 2 === 1;
  const layout = (p: number) =>
    cat(127 + encodingOffset[encoding], id, name.length, name, padded ? [p] : [], payload);
  const bytes = layout(pad);
  return {
    bytes,
    sender: "client",
    expect: {
      type: bytes[0],
      kind: "request",
      idHex: toHex(id),
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
 * Adds every request vector to `set`.
 *
 * @example
 * ```ts
 * import { addRequestVectors } from "./request.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addRequestVectors(set);
 * console.assert(set.files.has("request/utf16_len14.bin"));
 * ```
 */
export function addRequestVectors(set: VectorSet): void {
  for (const encoding of encodings) {
    const t = 127 + encodingOffset[encoding];
    for (const [label, name] of names) {
      set.valid(
        `request/${encoding}_${label}`,
        `${encoding} request, ${name.length}-byte name${
          encoding === "utf16" && name.length % 2 === 1 ? " and a zero padding byte" : ""
        }, payload`,
        request(encoding, ids.first, name, samplePayloads[encoding]),
      );
    }
    set.invalid(
      `request/${encoding}_len10`,
      "10 bytes: type, id and a zero name length only; minimum is 11",
      "client",
      cat(t, ids.first, 0),
      "too-short",
    );
    set.invalid(`request/${encoding}_len1`, "the type byte alone", "client", cat(t), "too-short");
    set.invalid(
      `request/${encoding}_name_truncated`,
      "name length 3 with 2 name bytes",
      "client",
      cat(t, ids.first, 3, "ab"),
      "name-overflow",
    );
    set.invalid(
      `request/${encoding}_name255_truncated`,
      "name length 255 with 254 name bytes",
      "client",
      cat(t, ids.first, 255, printableName(254)),
      "name-overflow",
    );
  }
  for (const encoding of ["binary", "utf8"] as const) {
    set.valid(
      `request/${encoding}_len11_payload1`,
      "11 bytes: no name, 1-byte payload",
      request(encoding, ids.ascending, cat(), cat("x")),
    );
    set.valid(
      `request/${encoding}_len11_name1`,
      "11 bytes: 1-byte name, no payload",
      request(encoding, ids.ascending, cat("q"), cat()),
    );
    set.valid(
      `request/${encoding}_len12`,
      "12 bytes: 1-byte name, 1-byte payload",
      request(encoding, ids.max, cat("q"), cat("x")),
    );
    set.valid(
      `request/${encoding}_name255_no_payload`,
      "255-byte name and no payload",
      request(encoding, ids.answer, printableName(255), cat()),
    );
  }
  set.invalid(
    "request/utf16_len11",
    "UTF-16 request of 11 bytes: odd length",
    "client",
    cat(129, ids.first, 0, 0x41),
    "utf16-unaligned",
  );
  set.valid(
    "request/utf16_len12_payload",
    "UTF-16 request of 12 bytes: no name, one code unit",
    request("utf16", ids.ascending, cat(), utf16le("A")),
  );
  set.valid(
    "request/utf16_len12_name1_pad",
    "UTF-16 request of 12 bytes: 1-byte name and padding, empty payload",
    request("utf16", ids.ascending, cat("q"), cat()),
  );
  set.valid(
    "request/utf16_len12_name2",
    "UTF-16 request of 12 bytes: 2-byte name, empty payload",
    request("utf16", ids.ascending, cat("qq"), cat()),
  );
  set.invalid(
    "request/utf16_len13",
    "UTF-16 request of 13 bytes: odd length",
    "client",
    cat(129, ids.first, 0, 0x41, 0, 0x42),
    "utf16-unaligned",
  );
  set.valid(
    "request/utf16_len14",
    "UTF-16 request of 14 bytes: 1-byte name, padding, one code unit",
    request("utf16", ids.first, cat("q"), utf16le("A")),
  );
  set.valid(
    "request/utf16_name3_pad",
    "UTF-16 request, 3-byte name, zero padding, payload",
    request("utf16", ids.answer, cat("abc"), utf16le("xyz")),
  );
  set.valid(
    "request/utf16_name255_pad_no_payload",
    "255-byte name, padding, no payload",
    request("utf16", ids.answer, printableName(255), cat()),
  );
  set.valid(
    "request/utf16_pad_nonzero",
    "UTF-16 request whose padding byte is 0x20: accepted, not canonical",
    request("utf16", ids.first, cat("abc"), utf16le("hi"), 0x20),
  );
  set.invalid(
    "request/utf16_name1_no_pad",
    "1-byte name, no padding, one code unit: odd length",
    "client",
    cat(129, ids.first, 1, "q", 0x41, 0),
    "utf16-unaligned",
  );
  set.invalid(
    "request/utf16_name3_no_pad",
    "3-byte name, no padding, no payload: odd length",
    "client",
    cat(129, ids.first, 3, "abc"),
    "utf16-unaligned",
  );
  set.invalid(
    "request/utf16_name4_truncated",
    "name length 4 with 2 name bytes",
    "client",
    cat(129, ids.first, 4, "ab"),
    "name-overflow",
  );
  set.invalid(
    "request/utf16_name5_truncated",
    "name length 5 with 4 name bytes",
    "client",
    cat(129, ids.first, 5, "abcd"),
    "name-overflow",
  );
  set.invalid(
    "request/utf16_name5_pad_missing",
    "name length 5 with 5 name bytes, no padding, a 2-byte payload: odd length",
    "client",
    cat(129, ids.first, 5, "abcde", 0x41, 0),
    "utf16-unaligned",
  );
  set.invalid(
    "request/utf16_odd_payload",
    "2-byte name and a 3-byte payload: odd length",
    "client",
    cat(129, ids.first, 2, "ab", 0x41, 0, 0x42),
    "utf16-unaligned",
  );
  set.valid(
    "request/utf8_invalid_utf8_payload",
    "UTF-8 request whose payload is not valid UTF-8: not checked",
    request("utf8", ids.first, cat("bad"), cat(0xe2, 0x82)),
  );
  set.valid(
    "request/binary_name_nonprintable",
    "name with a tab and 0x80: receivers accept, writers refuse",
    request("binary", ids.first, cat(0x09, 0x80), cat(1)),
  );
  set.valid(
    "request/binary_id_zero",
    "an all-zero id is just bytes",
    request("binary", ids.zero, cat("z"), cat(0)),
  );
  set.valid(
    "request/utf8_json_payload",
    "a typical JSON request",
    request("utf8", ids.answer, cat("user.get"), utf8('{"id":42,"name":"Zoë"}')),
  );
}
