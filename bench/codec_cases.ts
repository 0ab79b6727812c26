/**
 * The operations of the codec benchmark, shared by the Deno and Bun runners: for each fixture,
 * decoding with our codec and with the baselines a user would compare against, and the same
 * for encoding. Every operation returns a number computed from what it produced, and the
 * runners consume it, so no runtime can optimize the work away.
 *
 * The decoder is lazy: `decodeMessage` validates the message and returns an object whose fields
 * are views (`subarray`) or strings made when they are read. The operations therefore read what
 * a handler needs: the name as a string (`nameText`), the payload view (`payload.length`) and,
 * for requests and replies, the id as a number (`requestIdKey`, as a client does to find the
 * waiting request). The JSON and msgpackr baselines read the same three fields.
 *
 * @module
 */

import { unpack } from "msgpackr/unpack";
import { pack } from "msgpackr/pack";
import {
  decodeMessage,
  encodeReply,
  encodeRequest,
  encodeSignal,
  type Message,
  requestIdKey,
} from "../mod.ts";
import { type CodecFixture, fixtures, type PlainMessage } from "./fixtures.ts";

/** One benchmark: `fn` does the work once and returns a value derived from its result. */
export interface CodecCase {
  /** `decode` or `encode`. */
  readonly direction: "decode" | "encode";
  /** The fixture's label, e.g. `request 16 B`. */
  readonly message: string;
  /** Group name for the runners: `decode request 16 B`. */
  readonly group: string;
  /** Implementation, e.g. `webwire` or `JSON.parse`. */
  readonly name: string;
  /** True for our codec: the runners compare the baselines against it. */
  readonly baseline: boolean;
  readonly fn: () => number;
  /** What `fn` must return, when known: checked once before measuring. */
  readonly expected: number | undefined;
}

/** Implementation names, used as bench names and table rows. */
export const implementations = {
  decode: {
    webwire: "webwire decodeMessage",
    json: "JSON.parse",
    msgpackr: "msgpackr unpack",
    floor: "floor: type byte + subarray",
  },
  encode: {
    webwire: "webwire encode*",
    json: "JSON.stringify",
    msgpackr: "msgpackr pack",
    floor: "floor: allocate + copy payload",
  },
} as const;

function unexpected(message: Message, expected: string): never {
  throw new Error(`expected a ${expected}, decoded a ${message.kind}`);
}

function decodeWebwire(f: CodecFixture): () => number {
  const bytes = f.wire;
  if (f.kind === "request") {
    return () => {
      const m = decodeMessage(bytes);
      if (m.kind !== "request") unexpected(m, "request");
      return requestIdKey(m.bytes, 1) + m.nameText.length + m.payload.length;
    };
  }
  if (f.kind === "signal") {
    return () => {
      const m = decodeMessage(bytes);
      if (m.kind !== "signal") unexpected(m, "signal");
      return m.nameText.length + m.payload.length;
    };
  }
  return () => {
    const m = decodeMessage(bytes);
    if (m.kind !== "reply") unexpected(m, "reply");
    return requestIdKey(m.bytes, 1) + m.payload.length;
  };
}

function plainSum(m: PlainMessage<{ length: number }>): number {
  return (m.id ?? 0) + (m.name?.length ?? 0) + m.payload.length;
}

function decodeJson(f: CodecFixture): () => number {
  const text = f.jsonText;
  return () => plainSum(JSON.parse(text) as PlainMessage<string>);
}

function decodeMsgpackr(f: CodecFixture): () => number {
  const bytes = f.msgpack;
  return () => plainSum(unpack(bytes) as PlainMessage<Uint8Array>);
}

function decodeFloor(f: CodecFixture): () => number {
  const bytes = f.wire;
  const offset = f.payloadOffset;
  return () => bytes[0] + bytes.subarray(offset).length;
}

function encodeWebwire(f: CodecFixture): () => number {
  const { id, name, payload } = f;
  if (f.kind === "request") return () => encodeRequest({ id, name, payload }).length;
  if (f.kind === "signal") return () => encodeSignal({ name, payload }).length;
  return () => encodeReply({ id, payload }).length;
}

function encodeJson(f: CodecFixture): () => number {
  const { id, name, payload } = f.jsonValue;
  if (f.kind === "request") return () => JSON.stringify({ id, name, payload }).length;
  if (f.kind === "signal") return () => JSON.stringify({ name, payload }).length;
  return () => JSON.stringify({ id, payload }).length;
}

function encodeMsgpackr(f: CodecFixture): () => number {
  const { id, name, payload } = f.msgpackValue;
  if (f.kind === "request") return () => pack({ id, name, payload }).length;
  if (f.kind === "signal") return () => pack({ name, payload }).length;
  return () => pack({ id, payload }).length;
}

function encodeFloor(f: CodecFixture): () => number {
  const size = f.wire.length;
  const { payload, payloadOffset } = f;
  return () => {
    const out = new Uint8Array(size);
    out.set(payload, payloadOffset);
    return out.length;
  };
}

function expectedResult(
  direction: "decode" | "encode",
  implementation: number,
  f: CodecFixture,
): number | undefined {
  const fields = (f.kind === "signal" ? 0 : 1) + (f.name?.length ?? 0);
  if (direction === "encode") return implementation === 0 ? f.wire.length : undefined;
  if (implementation === 1) return fields + f.jsonValue.payload.length;
  if (implementation === 3) return f.wire[0] + f.payload.length;
  return fields + f.payload.length;
}

function casesOf(direction: "decode" | "encode"): CodecCase[] {
  const names = implementations[direction];
  const makers = direction === "decode"
    ? [decodeWebwire, decodeJson, decodeMsgpackr, decodeFloor]
    : [encodeWebwire, encodeJson, encodeMsgpackr, encodeFloor];
  const labels = [names.webwire, names.json, names.msgpackr, names.floor];
  return fixtures.flatMap((f) =>
    makers.map((make, i) => ({
      direction,
      message: f.label,
      group: `${direction} ${f.label}`,
      name: labels[i],
      baseline: i === 0,
      fn: make(f),
      expected: expectedResult(direction, i, f),
    }))
  );
}

/** Every benchmark, decoding first, in the order both runners run them. */
export const codecCases: readonly CodecCase[] = [...casesOf("decode"), ...casesOf("encode")];

/**
 * Runs every case once and throws if one returns something else than expected, so that a
 * broken fixture or decoder fails the benchmark instead of measuring an error path.
 */
export function verifyCodecCases(): void {
  for (const c of codecCases) {
    const got = c.fn();
    if (c.expected !== undefined && got !== c.expected) {
      throw new Error(`${c.group} / ${c.name}: expected ${c.expected}, got ${got}`);
    }
  }
}
