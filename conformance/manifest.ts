/**
 * The format of the conformance manifest (`conformance/vectors/manifest.json`) and the small
 * helpers every consumer of it needs: hex conversion and expansion of generated vectors.
 * `conformance/README.md` specifies the same format in prose for other languages.
 *
 * @example
 * ```ts
 * import { generatedBytes, toHex } from "./manifest.ts";
 * const bytes = generatedBytes({ prefixHex: "bf", payload: { pattern: "i mod 251", length: 3 } });
 * console.assert(toHex(bytes) === "bf000102");
 * ```
 * @module
 */

/**
 * Who may send a message: the client, the server, or either side (signals, and invalid
 * vectors whose type byte names no sender).
 *
 * @example
 * ```ts
 * import type { VectorSender } from "./manifest.ts";
 * const s: VectorSender = "either";
 * console.assert(s === "either");
 * ```
 */
export type VectorSender = "client" | "server" | "either";

/**
 * The only payload pattern of generated vectors: byte `i` of the payload is `i mod 251`.
 *
 * @example
 * ```ts
 * import type { PayloadPattern } from "./manifest.ts";
 * const p: PayloadPattern = { pattern: "i mod 251", length: 4 };
 * console.assert(p.length === 4);
 * ```
 */
export interface PayloadPattern {
  /** The rule for byte `i` (0-based) of the payload. */
  pattern: "i mod 251";
  /** The number of payload bytes. */
  length: number;
}

/**
 * How to build a vector that is too big to store: the prefix bytes followed by the payload.
 *
 * @example
 * ```ts
 * import type { GenerateRule } from "./manifest.ts";
 * const g: GenerateRule = { prefixHex: "bf", payload: { pattern: "i mod 251", length: 1 } };
 * console.assert(g.prefixHex === "bf");
 * ```
 */
export interface GenerateRule {
  /** Lowercase hex of the bytes before the payload (type byte, id, name, padding). */
  prefixHex: string;
  /** The payload that follows the prefix. */
  payload: PayloadPattern;
}

/**
 * The decoded fields of a message in manifest form. Which fields a kind has is fixed (see
 * `conformance/README.md`); a text field (`name`, `errorCode`, ...) is present only when its
 * bytes are printable ASCII (or valid UTF-8 for `errorMessage` and `sessionJson`), the `...Hex`
 * field always.
 *
 * @example
 * ```ts
 * import type { VectorFields } from "./manifest.ts";
 * const f: VectorFields = { type: 33, kind: "heartbeat" };
 * console.assert(f.kind === "heartbeat");
 * ```
 */
export interface VectorFields {
  /** The type byte. */
  type: number;
  /** The message kind, e.g. `signal` or `accept-conf`. */
  kind: string;
  /** The 8-byte request id (16 hex digits). */
  idHex?: string;
  /** Payload encoding of signals, requests and replies. */
  encoding?: "binary" | "utf8" | "utf16";
  /** Name of a signal or request as text, when printable ASCII. */
  name?: string;
  /** Name bytes of a signal or request. */
  nameHex?: string;
  /** Payload bytes of a signal, request or reply. */
  payloadHex?: string;
  /** Payload of a generated vector, instead of `payloadHex`. */
  payloadGenerated?: PayloadPattern;
  /** Error code as text, when printable ASCII. */
  errorCode?: string;
  /** Error code bytes. */
  errorCodeHex?: string;
  /** Error message as text, when valid UTF-8. */
  errorMessage?: string;
  /** Error message bytes. */
  errorMessageHex?: string;
  /** Accept-conf major version. */
  major?: number;
  /** Accept-conf minor version. */
  minor?: number;
  /** Accept-conf read timeout in milliseconds. */
  readTimeoutMs?: number;
  /** Accept-conf message buffer size in bytes. */
  messageBufferSize?: number;
  /** Accept-conf sub-protocol as text, when printable ASCII. */
  subProtocol?: string;
  /** Accept-conf sub-protocol bytes (empty for none). */
  subProtocolHex?: string;
  /** Restore-session key as text, when printable ASCII. */
  sessionKey?: string;
  /** Restore-session key bytes. */
  sessionKeyHex?: string;
  /** Session-created JSON as text, when valid UTF-8. */
  sessionJson?: string;
  /** Session-created JSON bytes. */
  sessionJsonHex?: string;
}

/**
 * One conformance vector: a stored `file` or a `generate` rule, and either `expect` (valid)
 * or `invalid` (rejected, with the reason).
 *
 * @example
 * ```ts
 * import type { Vector } from "./manifest.ts";
 * const v: Vector = {
 *   id: "heartbeat/valid",
 *   file: "heartbeat/valid.bin",
 *   description: "a heartbeat",
 *   sender: "client",
 *   canonical: true,
 *   expect: { type: 33, kind: "heartbeat" },
 * };
 * console.assert(v.expect?.type === 33);
 * ```
 */
export interface Vector {
  /** Unique name; the group is the part before the first `/`. */
  id: string;
  /** Path of the message file relative to the vectors directory. */
  file?: string;
  /** Rule that builds the message instead of a file. */
  generate?: GenerateRule;
  /** What the vector checks. */
  description: string;
  /** Who may send the message. */
  sender: VectorSender;
  /** Valid vectors: whether a conforming writer produces exactly these bytes. */
  canonical?: boolean;
  /** Non-canonical vectors: why not. */
  nonCanonical?: string;
  /** Non-canonical vectors: the bytes a conforming writer produces for the same fields. */
  canonicalHex?: string;
  /** Valid vectors: the decoded fields. */
  expect?: VectorFields;
  /** Invalid vectors: the rejection. */
  invalid?: { reason: string };
}

/**
 * The whole manifest file.
 *
 * @example
 * ```ts
 * import type { Manifest } from "./manifest.ts";
 * const m: Manifest = { protocol: "webwire-v2", formatVersion: 1, vectors: [] };
 * console.assert(m.vectors.length === 0);
 * ```
 */
export interface Manifest {
  /** Always `webwire-v2`. */
  protocol: "webwire-v2";
  /** Version of this manifest format. */
  formatVersion: 1;
  /** Every vector, in a fixed order. */
  vectors: Vector[];
}

const hexCodes = new TextEncoder().encode("0123456789abcdef");
const asciiDecoder = new TextDecoder();

/**
 * Lowercase hex of `bytes`, two digits per byte, no separators.
 *
 * @example
 * ```ts
 * import { toHex } from "./manifest.ts";
 * console.assert(toHex(new Uint8Array([0, 171])) === "00ab");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  // Writing digit codes and decoding them once is far faster than string concatenation for
  // the 1 MiB vectors.
  const digits = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    digits[2 * i] = hexCodes[bytes[i] >> 4];
    digits[2 * i + 1] = hexCodes[bytes[i] & 15];
  }
  return asciiDecoder.decode(digits);
}

/**
 * Bytes from hex (either case); throws a `RangeError` for anything else.
 *
 * @example
 * ```ts
 * import { fromHex } from "./manifest.ts";
 * console.assert(fromHex("00AB")[1] === 171);
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new RangeError(`expected an even number of hex digits, got "${hex.slice(0, 40)}"`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The payload bytes a pattern describes.
 *
 * @example
 * ```ts
 * import { patternBytes } from "./manifest.ts";
 * console.assert(patternBytes({ pattern: "i mod 251", length: 252 })[251] === 0);
 * ```
 */
export function patternBytes(payload: PayloadPattern): Uint8Array {
  if (payload.pattern !== "i mod 251") {
    throw new RangeError(`unknown payload pattern: expected "i mod 251", got ${payload.pattern}`);
  }
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < out.length; i++) out[i] = i % 251;
  return out;
}

/**
 * The message a generate rule describes: prefix, then payload.
 *
 * @example
 * ```ts
 * import { generatedBytes } from "./manifest.ts";
 * const b = generatedBytes({ prefixHex: "3f00", payload: { pattern: "i mod 251", length: 2 } });
 * console.assert(b.length === 4 && b[3] === 1);
 * ```
 */
export function generatedBytes(rule: GenerateRule): Uint8Array {
  const prefix = fromHex(rule.prefixHex);
  const payload = patternBytes(rule.payload);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}
