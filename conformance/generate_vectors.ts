/**
 * Builds the WebWire v2 conformance vectors and their manifest. Every message is laid out byte
 * by byte here, from the wire layouts in `PROTOCOL.md`, and never with the library's encoder:
 * the vectors are an independent check of the codec. The output is deterministic.
 *
 * Run `deno run -A conformance/generate_vectors.ts` to rewrite `conformance/vectors/`.
 *
 * @example
 * ```ts
 * import { generateVectors } from "./generate_vectors.ts";
 * const { manifest, files } = generateVectors();
 * console.assert(manifest.vectors.length >= 200 && files.has("heartbeat/valid.bin"));
 * ```
 * @module
 */

import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  generatedBytes,
  type GenerateRule,
  type Manifest,
  toHex,
  type Vector,
  type VectorFields,
  type VectorSender,
} from "./manifest.ts";
import { defaultVectorsDir } from "./vector_files.ts";

/**
 * The manifest and the bytes of every stored vector, keyed by path relative to the vectors
 * directory.
 *
 * @example
 * ```ts
 * import type { GeneratedVectors } from "./generate_vectors.ts";
 * const g: GeneratedVectors = {
 *   manifest: { protocol: "webwire-v2", formatVersion: 1, vectors: [] },
 *   files: new Map(),
 * };
 * console.assert(g.files.size === 0);
 * ```
 */
export interface GeneratedVectors {
  /** The manifest, serialised by {@link manifestJson}. */
  manifest: Manifest;
  /** Vector file bytes by relative path (`group/slug.bin`). */
  files: Map<string, Uint8Array>;
}

type Part = number | string | ArrayLike<number>;

/** Concatenates byte values, byte arrays and strings (one byte per character, < 256). */
function cat(...parts: Part[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "number"
      ? [part]
      : typeof part === "string"
      ? Array.from(part, (c) => c.charCodeAt(0))
      : part
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (!(Number.isInteger(b) && b >= 0 && b <= 255)) throw new RangeError(`not a byte: ${b}`);
      out[at++] = b;
    }
  }
  return out;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** UTF-16 little-endian code units, written by hand. */
function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

function seq(length: number, byteAt: (i: number) => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = byteAt(i);
  return out;
}

/** A printable ASCII name of `length` bytes that uses the whole printable range. */
function printableName(length: number): Uint8Array {
  return seq(length, (i) => 32 + ((i * 7 + 33) % 95));
}

function u32le(value: number): Uint8Array {
  return cat(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}

function isPrintable(bytes: Uint8Array): boolean {
  return bytes.every((b) => b >= 32 && b <= 126);
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A valid message with its decoded fields and, if a writer would not produce it, why. */
interface Built {
  bytes: Uint8Array;
  expect: VectorFields;
  sender: VectorSender;
  /** Absent for canonical messages. */
  nonCanonical?: { why: string; canonical?: Uint8Array };
}

type Encoding = "binary" | "utf8" | "utf16";
const encodings: readonly Encoding[] = ["binary", "utf8", "utf16"];
const encodingOffset: Record<Encoding, number> = { binary: 0, utf8: 1, utf16: 2 };

const ids = {
  first: cat(1, 0, 0, 0, 0, 0, 0, 0),
  answer: cat(0x2a, 0, 0, 0, 0, 0, 0, 0),
  ascending: cat(0, 1, 2, 3, 4, 5, 6, 7),
  max: cat(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  zero: cat(0, 0, 0, 0, 0, 0, 0, 0),
};

function nameFields(name: Uint8Array): Pick<VectorFields, "name" | "nameHex"> {
  return isPrintable(name)
    ? { name: latin1(name), nameHex: toHex(name) }
    : { nameHex: toHex(name) };
}

function nonPrintable(what: string, bytes: Uint8Array): Built["nonCanonical"] {
  return isPrintable(bytes)
    ? undefined
    : { why: `the ${what} has bytes outside printable ASCII, which conforming writers refuse` };
}

/** Signal: `type, n, name[n], pad if UTF-16 and n odd, payload`. */
function signal(encoding: Encoding, name: Uint8Array, payload: Uint8Array, pad = 0): Built {
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

/** Request: `type, id[8], n, name[n], pad if UTF-16 and n odd, payload`. */
function request(
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

/** Reply: `type, id[8], pad if UTF-16, payload`. */
function reply(encoding: Encoding, id: Uint8Array, payload: Uint8Array, pad = 0): Built {
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

/** Error reply: `0, id[8], n, code[n], message`. */
function errorReply(id: Uint8Array, code: Uint8Array, message: Uint8Array): Built {
  const text = strictUtf8(message);
  return {
    bytes: cat(0, id, code.length, code, message),
    sender: "server",
    expect: {
      type: 0,
      kind: "error-reply",
      idHex: toHex(id),
      ...(isPrintable(code) ? { errorCode: latin1(code) } : {}),
      errorCodeHex: toHex(code),
      ...(text === undefined ? {} : { errorMessage: text }),
      errorMessageHex: toHex(message),
    },
    nonCanonical: nonPrintable("error code", code),
  };
}

const specialKinds: Record<number, string> = {
  1: "shutdown-reply",
  2: "internal-error-reply",
  3: "session-not-found-reply",
  4: "max-session-connections-reply",
  5: "sessions-disabled-reply",
};

/** Special reply: `type, id[8]`; bytes after the id are ignored by receivers. */
function specialReply(type: number, id: Uint8Array, trailing: Uint8Array = cat()): Built {
  return {
    bytes: cat(type, id, trailing),
    sender: "server",
    expect: { type, kind: specialKinds[type], idHex: toHex(id) },
    nonCanonical: trailing.length > 0
      ? { why: "bytes after the id, which receivers ignore", canonical: cat(type, id) }
      : undefined,
  };
}

function sessionCreated(json: Uint8Array): Built {
  const text = strictUtf8(json);
  return {
    bytes: cat(21, json),
    sender: "server",
    expect: {
      type: 21,
      kind: "session-created",
      ...(text === undefined ? {} : { sessionJson: text }),
      sessionJsonHex: toHex(json),
    },
  };
}

function acceptConf(
  major: number,
  minor: number,
  readTimeoutMs: number,
  messageBufferSize: number,
  subProtocol: Uint8Array = cat(),
): Built {
  return {
    bytes: cat(23, major, minor, u32le(readTimeoutMs), u32le(messageBufferSize), subProtocol),
    sender: "server",
    expect: {
      type: 23,
      kind: "accept-conf",
      major,
      minor,
      readTimeoutMs,
      messageBufferSize,
      ...(isPrintable(subProtocol) ? { subProtocol: latin1(subProtocol) } : {}),
      subProtocolHex: toHex(subProtocol),
    },
  };
}

function closeSession(id: Uint8Array): Built {
  return {
    bytes: cat(31, id),
    sender: "client",
    expect: { type: 31, kind: "close-session", idHex: toHex(id) },
  };
}

function restoreSession(id: Uint8Array, key: Uint8Array): Built {
  return {
    bytes: cat(32, id, key),
    sender: "client",
    expect: {
      type: 32,
      kind: "restore-session",
      idHex: toHex(id),
      ...(isPrintable(key) ? { sessionKey: latin1(key) } : {}),
      sessionKeyHex: toHex(key),
    },
  };
}

const heartbeat: Built = {
  bytes: cat(33),
  sender: "client",
  expect: { type: 33, kind: "heartbeat" },
};
const sessionClosed: Built = {
  bytes: cat(22),
  sender: "server",
  expect: { type: 22, kind: "session-closed" },
};

/** A smallest valid message of every known type byte. */
function minimalOfType(type: number): Built | undefined {
  const id = ids.first;
  switch (type) {
    case 0:
      return errorReply(id, cat("E"), cat());
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return specialReply(type, id);
    case 21:
      return sessionCreated(cat("{}"));
    case 22:
      return sessionClosed;
    case 23:
      return acceptConf(2, 0, 60000, 8192);
    case 31:
      return closeSession(id);
    case 32:
      return restoreSession(id, cat("k"));
    case 33:
      return heartbeat;
    case 63:
    case 64:
      return signal(type === 63 ? "binary" : "utf8", cat("s"), cat());
    case 65:
      return signal("utf16", cat(), utf16le("s"));
    case 127:
    case 128:
      return request(type === 127 ? "binary" : "utf8", id, cat("q"), cat());
    case 129:
      return request("utf16", id, cat("qq"), cat());
    case 191:
    case 192:
    case 193:
      return reply(encodings[type - 191], id, cat());
  }
  return undefined;
}

class VectorSet {
  readonly vectors: Vector[] = [];
  readonly files = new Map<string, Uint8Array>();

  valid(id: string, description: string, built: Built): void {
    const file = `${id}.bin`;
    this.add(file, built.bytes, {
      id,
      file,
      description,
      sender: built.sender,
      ...this.canonicalFields(built),
      expect: built.expect,
    });
  }

  invalid(
    id: string,
    description: string,
    sender: VectorSender,
    bytes: Uint8Array,
    reason: string,
  ): void {
    const file = `${id}.bin`;
    this.add(file, bytes, { id, file, description, sender, invalid: { reason } });
  }

  generated(id: string, description: string, built: Built, generate: GenerateRule): void {
    const expanded = generatedBytes(generate);
    if (expanded.length !== built.bytes.length || expanded.some((b, i) => b !== built.bytes[i])) {
      throw new Error(`generate rule of ${id} does not describe its bytes`);
    }
    const { payloadHex: _, ...fields } = built.expect;
    this.push({
      id,
      generate,
      description,
      sender: built.sender,
      ...this.canonicalFields(built),
      expect: { ...fields, payloadGenerated: generate.payload },
    });
  }

  private canonicalFields(
    built: Built,
  ): Pick<Vector, "canonical" | "nonCanonical" | "canonicalHex"> {
    if (built.nonCanonical === undefined) return { canonical: true };
    const { why, canonical } = built.nonCanonical;
    return canonical === undefined
      ? { canonical: false, nonCanonical: why }
      : { canonical: false, nonCanonical: why, canonicalHex: toHex(canonical) };
  }

  private add(file: string, bytes: Uint8Array, vector: Vector): void {
    if (this.files.has(file)) throw new Error(`duplicate vector file ${file}`);
    this.files.set(file, bytes);
    this.push(vector);
  }

  private push(vector: Vector): void {
    if (this.vectors.some((v) => v.id === vector.id)) throw new Error(`duplicate ${vector.id}`);
    this.vectors.push(vector);
  }
}

function pad3(n: number): string {
  return String(n).padStart(3, "0");
}

function typeBytes(set: VectorSet): void {
  for (let type = 0; type < 256; type++) {
    const built = minimalOfType(type);
    if (built !== undefined) {
      set.valid(
        `type-bytes/type_${pad3(type)}`,
        `type byte ${type}: a smallest valid ${built.expect.kind}`,
        built,
      );
    } else {
      set.invalid(
        `type-bytes/type_${pad3(type)}`,
        `type byte ${type} alone: no WebWire v2 message has this type`,
        "either",
        cat(type),
        "unknown-type",
      );
    }
  }
  const extra: [number, Uint8Array, string][] = [
    [6, cat(6, ids.first), "the v1 protocol-error reply (6) with an id: gone in v2"],
    [34, cat(34, ids.first, 0), "type 34 with 9 more bytes"],
    [130, cat(130, ids.first, 1, "x", "payload"), "type 130 laid out like a request"],
    [194, cat(194, ids.first, "payload"), "type 194 laid out like a reply"],
    [255, seq(16, () => 0xff), "sixteen 0xff bytes"],
  ];
  for (const [type, bytes, what] of extra) {
    set.invalid(
      `type-bytes/unknown_${pad3(type)}_long`,
      `unknown type ${type} is rejected whatever follows: ${what}`,
      "either",
      bytes,
      "unknown-type",
    );
  }
  set.invalid("type-bytes/empty", "a frame with no bytes", "either", cat(), "empty");
}

const names: [string, Uint8Array][] = [
  ["name0", cat()],
  ["name1", cat("a")],
  ["name2", cat("ab")],
  ["name254", printableName(254)],
  ["name255", printableName(255)],
];

const samplePayloads: Record<Encoding, Uint8Array> = {
  binary: cat(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff),
  utf8: utf8("héllo wörld ✓ 😀"),
  utf16: utf16le("héllo 😀"),
};

function signals(set: VectorSet): void {
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

function requests(set: VectorSet): void {
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

function replies(set: VectorSet): void {
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

function errorReplies(set: VectorSet): void {
  set.invalid("error-reply/len1", "the type byte alone", "server", cat(0), "too-short");
  set.invalid(
    "error-reply/len10",
    "10 bytes: id and code length 1, no code; minimum is 11",
    "server",
    cat(0, ids.first, 1),
    "too-short",
  );
  set.invalid(
    "error-reply/len10_code0",
    "10 bytes with code length 0: the minimum is checked first",
    "server",
    cat(0, ids.first, 0),
    "too-short",
  );
  set.valid(
    "error-reply/len11",
    "11 bytes: 1-byte code, empty message",
    errorReply(ids.first, cat("E"), cat()),
  );
  set.valid(
    "error-reply/len12",
    "12 bytes: 1-byte code, 1-byte message",
    errorReply(ids.first, cat("E"), cat("m")),
  );
  set.invalid(
    "error-reply/code0",
    "code length 0",
    "server",
    cat(0, ids.first, 0, "message"),
    "empty-error-code",
  );
  set.invalid(
    "error-reply/code0_len11",
    "11 bytes with code length 0",
    "server",
    cat(0, ids.first, 0, "m"),
    "empty-error-code",
  );
  set.invalid(
    "error-reply/code2_len11",
    "code length 2 with 1 code byte",
    "server",
    cat(0, ids.first, 2, "E"),
    "code-overflow",
  );
  set.invalid(
    "error-reply/code255_truncated",
    "code length 255 with 254 code bytes",
    "server",
    cat(0, ids.first, 255, printableName(254)),
    "code-overflow",
  );
  set.valid(
    "error-reply/code255",
    "255-byte code, empty message",
    errorReply(ids.answer, printableName(255), cat()),
  );
  set.valid(
    "error-reply/code255_message",
    "255-byte code and a message",
    errorReply(ids.answer, printableName(255), cat("boom")),
  );
  set.valid(
    "error-reply/typical",
    "a typical error",
    errorReply(ids.ascending, cat("NOT_FOUND"), utf8("user 42 does not exist")),
  );
  set.valid(
    "error-reply/utf8_message",
    "a message with multi-byte UTF-8",
    errorReply(ids.max, cat("E_UTF8"), utf8("Ungültig — 失敗 😀")),
  );
  set.valid(
    "error-reply/invalid_utf8_message",
    "a message that is not valid UTF-8: not checked",
    errorReply(ids.first, cat("E"), cat(0xc3, 0x28)),
  );
  set.valid(
    "error-reply/code_nonprintable",
    "a code with byte 0x01: receivers accept, writers refuse",
    errorReply(ids.first, cat(0x01, "X"), cat("m")),
  );
  set.valid(
    "error-reply/code_with_space",
    "a code with a space and a tilde (printable bounds 32 and 126)",
    errorReply(ids.first, cat(" ~"), cat()),
  );
}

function specialReplies(set: VectorSet): void {
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

const sessionKeyText = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghijklmnopqrstuvwxyz";
const sessionJsonText =
  `{"k":"${sessionKeyText}","c":"2024-05-01T12:00:00.123456789Z","l":"2024-05-01T12:30:00.5Z"}`;

function sessions(set: VectorSet): void {
  set.invalid(
    "session/created_len1",
    "session created of 1 byte: minimum is 2",
    "server",
    cat(21),
    "too-short",
  );
  set.valid(
    "session/created_len2",
    "session created of 2 bytes: the codec does not parse the JSON",
    sessionCreated(cat("x")),
  );
  set.valid("session/created_len3", "session created of 3 bytes", sessionCreated(cat("{}")));
  set.valid(
    "session/created_typical",
    "session JSON without info",
    sessionCreated(utf8(sessionJsonText)),
  );
  set.valid(
    "session/created_info",
    "session JSON with info and non-ASCII text",
    sessionCreated(
      utf8(`${sessionJsonText.slice(0, -1)},"i":{"user":"zoë","roles":["admin","dev"],"n":1}}`),
    ),
  );
  set.valid(
    "session/created_invalid_utf8",
    "session JSON bytes that are not UTF-8: not checked",
    sessionCreated(cat(0xff, 0xfe)),
  );
  set.valid("session/closed", "session closed: exactly 1 byte", sessionClosed);
  set.invalid(
    "session/closed_len2",
    "session closed of 2 bytes",
    "server",
    cat(22, 0),
    "bad-length",
  );
  set.invalid(
    "session/closed_len9",
    "session closed with an id",
    "server",
    cat(22, ids.first),
    "bad-length",
  );
  set.invalid(
    "session/close_len1",
    "close session: the type byte alone",
    "client",
    cat(31),
    "bad-length",
  );
  set.invalid(
    "session/close_len8",
    "close session of 8 bytes",
    "client",
    cat(31, ids.first.subarray(0, 7)),
    "bad-length",
  );
  set.valid("session/close_len9", "close session: exactly 9 bytes", closeSession(ids.first));
  set.valid("session/close_id_max", "close session with id ff..ff", closeSession(ids.max));
  set.invalid(
    "session/close_len10",
    "close session of 10 bytes",
    "client",
    cat(31, ids.first, 0),
    "bad-length",
  );
  set.invalid(
    "session/restore_len1",
    "restore session: the type byte alone",
    "client",
    cat(32),
    "too-short",
  );
  set.invalid(
    "session/restore_len9",
    "restore session without a key: minimum is 10",
    "client",
    cat(32, ids.first),
    "too-short",
  );
  set.valid(
    "session/restore_len10",
    "restore session with a 1-byte key",
    restoreSession(ids.first, cat("k")),
  );
  set.valid(
    "session/restore_len11",
    "restore session with a 2-byte key",
    restoreSession(ids.first, cat("kk")),
  );
  set.valid(
    "session/restore_typical",
    "restore session with a 64-character key",
    restoreSession(ids.answer, cat(sessionKeyText)),
  );
  set.valid(
    "session/restore_padded_key",
    "a base64url key with = padding",
    restoreSession(ids.ascending, cat("YWJj==")),
  );
}

function heartbeats(set: VectorSet): void {
  set.valid("heartbeat/valid", "heartbeat: exactly 1 byte", heartbeat);
  set.invalid("heartbeat/len2", "heartbeat of 2 bytes", "client", cat(33, 0), "bad-length");
  set.invalid("heartbeat/len9", "heartbeat with an id", "client", cat(33, ids.first), "bad-length");
}

function acceptConfs(set: VectorSet): void {
  set.valid(
    "accept-conf/reference_default",
    "the reference server's default: 2.0, 60000 ms, 8192 bytes, no sub-protocol",
    acceptConf(2, 0, 60000, 8192),
  );
  set.invalid("accept-conf/len1", "the type byte alone", "server", cat(23), "too-short");
  set.invalid(
    "accept-conf/len10",
    "10 bytes: buffer size cut short",
    "server",
    cat(23, 2, 0, u32le(60000), 0x00, 0x20, 0x00),
    "too-short",
  );
  set.valid("accept-conf/len11", "11 bytes, all zero fields", acceptConf(0, 0, 0, 0));
  set.valid(
    "accept-conf/len12",
    "12 bytes: 1-byte sub-protocol",
    acceptConf(2, 0, 60000, 8192, cat("x")),
  );
  set.valid(
    "accept-conf/subprotocol",
    "with sub-protocol chat.v1",
    acceptConf(2, 0, 60000, 8192, cat("chat.v1")),
  );
  set.valid(
    "accept-conf/subprotocol_long",
    "with a 300-byte sub-protocol: no length limit",
    acceptConf(2, 1, 30000, 65536, printableName(300)),
  );
  set.valid(
    "accept-conf/max_values",
    "read timeout and buffer size 2^32 - 1",
    acceptConf(2, 255, 0xffffffff, 0xffffffff),
  );
  set.valid("accept-conf/one_second", "1000 ms, 1 MiB buffer", acceptConf(2, 0, 1000, 1048576));
  set.valid(
    "accept-conf/major1",
    "major version 1: decodes (the client then refuses the version)",
    acceptConf(1, 0, 60000, 8192),
  );
  set.valid("accept-conf/major3_minor7", "version 3.7 decodes", acceptConf(3, 7, 60000, 8192));
  set.valid(
    "accept-conf/byte_order",
    "u32 fields are little-endian: 0x01020304 and 0xa0b0c0d0",
    acceptConf(2, 0, 0x01020304, 0xa0b0c0d0),
  );
}

const mebibyte = 1048576;

function generated(set: VectorSet): void {
  const payload = { pattern: "i mod 251", length: mebibyte } as const;
  const pattern = seq(mebibyte, (i) => i % 251);
  const replyPrefix = cat(191, ids.first);
  set.generated(
    "generated/reply_binary_1mib",
    "binary reply with a 1 MiB payload",
    reply("binary", ids.first, pattern),
    { prefixHex: toHex(replyPrefix), payload },
  );
  const requestPrefix = cat(129, ids.answer, 3, "big", 0);
  set.generated(
    "generated/request_utf16_1mib",
    "UTF-16 request, 3-byte name and padding, 1 MiB payload",
    request("utf16", ids.answer, cat("big"), pattern),
    { prefixHex: toHex(requestPrefix), payload },
  );
  const oddPattern = seq(mebibyte + 1, (i) => i % 251);
  const signalPrefix = cat(63, 4, "bulk");
  set.generated(
    "generated/signal_binary_1mib_plus_1",
    "binary signal, 4-byte name, payload of 1 MiB + 1 bytes",
    signal("binary", cat("bulk"), oddPattern),
    { prefixHex: toHex(signalPrefix), payload: { pattern: "i mod 251", length: mebibyte + 1 } },
  );
}

/**
 * Builds every vector. Generated vectors carry their payload as a pattern in the manifest, not
 * as hex.
 *
 * @example
 * ```ts
 * import { generateVectors } from "./generate_vectors.ts";
 * const { manifest } = generateVectors();
 * console.assert(manifest.vectors.some((v) => v.invalid?.reason === "unknown-type"));
 * ```
 */
export function generateVectors(): GeneratedVectors {
  const set = new VectorSet();
  typeBytes(set);
  signals(set);
  requests(set);
  replies(set);
  errorReplies(set);
  specialReplies(set);
  sessions(set);
  heartbeats(set);
  acceptConfs(set);
  generated(set);
  return {
    manifest: { protocol: "webwire-v2", formatVersion: 1, vectors: set.vectors },
    files: set.files,
  };
}

/**
 * The manifest as stored: two-space indented JSON with a final newline.
 *
 * @example
 * ```ts
 * import { manifestJson } from "./generate_vectors.ts";
 * const text = manifestJson({ protocol: "webwire-v2", formatVersion: 1, vectors: [] });
 * console.assert(text.endsWith("\n"));
 * ```
 */
export function manifestJson(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + "\n";
}

/**
 * Replaces the contents of `dir` with freshly generated vectors and `manifest.json`.
 *
 * @example
 * ```ts ignore
 * import { writeVectors } from "./generate_vectors.ts";
 * await writeVectors("/tmp/vectors");
 * ```
 */
export async function writeVectors(dir: string = defaultVectorsDir()): Promise<number> {
  const { manifest, files } = generateVectors();
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true });
  for (const [path, bytes] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  await writeFile(join(dir, "manifest.json"), manifestJson(manifest));
  return manifest.vectors.length;
}

if (import.meta.main) {
  const count = await writeVectors();
  console.log(`wrote ${count} vectors to ${defaultVectorsDir()}`);
}
