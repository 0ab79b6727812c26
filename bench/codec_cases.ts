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
 * waiting request). The JSON and msgpackr baselines read the same three fields; the
 * "JSON.parse + base64 decode" baseline also turns the payload into bytes, as a JSON protocol
 * must before a handler can use binary data.
 *
 * The scratch encode cases measure the internal encoders the server uses for signals and replies
 * on Deno and Bun (`protocol/encode_in_scratch.ts`: one reused buffer, since their `send` copies
 * the bytes before it returns).
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
import { encodeReplyInScratch, encodeSignalInScratch } from "../protocol/encode_in_scratch.ts";
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

type FromBase64 = (text: string) => Uint8Array;

/** `Uint8Array.fromBase64` (Deno, Bun, browsers), else `atob` and a copy (Node 20). */
const fromBase64: FromBase64 = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64 ??
  ((text: string) => {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  });

function decodeJsonBase64(f: CodecFixture): () => number {
  const text = f.jsonText;
  return () => {
    const m = JSON.parse(text) as PlainMessage<string>;
    return (m.id ?? 0) + (m.name?.length ?? 0) + fromBase64(m.payload).length;
  };
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

function encodeInScratch(f: CodecFixture): () => number {
  const { id, name, payload } = f;
  if (f.kind === "signal") return () => encodeSignalInScratch({ name, payload }).length;
  return () => encodeReplyInScratch({ id, payload }).length;
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

function encodeIntoReused(f: CodecFixture): () => number {
  const { id, name, payload } = f;
  const target = new Uint8Array(f.wire.length);
  if (f.kind === "request") return () => encodeRequest({ id, name, payload }, target).length;
  if (f.kind === "signal") return () => encodeSignal({ name, payload }, target).length;
  return () => encodeReply({ id, payload }, target).length;
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

/** An implementation under test: its name and, per fixture, its operation and result. */
interface Implementation {
  readonly name: string;
  readonly make: (f: CodecFixture) => () => number;
  readonly expected: (f: CodecFixture) => number | undefined;
  /** The kinds of message it applies to; all when absent. */
  readonly kinds?: readonly CodecFixture["kind"][];
}

/** What the decoders read: the id (1 here), the name length and the payload length. */
function fieldSum(f: CodecFixture, payloadLength: number): number {
  return (f.kind === "signal" ? 0 : 1) + (f.name?.length ?? 0) + payloadLength;
}

/** Implementations per direction; the first one is ours, the baseline of its group. */
const implementations: Record<"decode" | "encode", readonly Implementation[]> = {
  decode: [
    {
      name: "webwire decodeMessage",
      make: decodeWebwire,
      expected: (f) => fieldSum(f, f.payload.length),
    },
    {
      name: "JSON.parse",
      make: decodeJson,
      expected: (f) => fieldSum(f, f.jsonValue.payload.length),
    },
    {
      name: "JSON.parse + base64 decode",
      make: decodeJsonBase64,
      expected: (f) => fieldSum(f, f.payload.length),
    },
    {
      name: "msgpackr unpack",
      make: decodeMsgpackr,
      expected: (f) => fieldSum(f, f.payload.length),
    },
    {
      name: "floor: type byte + subarray",
      make: decodeFloor,
      expected: (f) => f.wire[0] + f.payload.length,
    },
  ],
  encode: [
    { name: "webwire encode", make: encodeWebwire, expected: (f) => f.wire.length },
    { name: "JSON.stringify", make: encodeJson, expected: () => undefined },
    { name: "msgpackr pack", make: encodeMsgpackr, expected: (f) => f.msgpack.length },
    { name: "floor: allocate + copy payload", make: encodeFloor, expected: (f) => f.wire.length },
    {
      name: "webwire encode, reused buffer",
      make: encodeIntoReused,
      expected: (f) => f.wire.length,
    },
    {
      name: "webwire encode, scratch (server path)",
      make: encodeInScratch,
      expected: (f) => f.wire.length,
      // A server sends signals and replies, never requests.
      kinds: ["signal", "reply"],
    },
  ],
};

function casesOf(direction: "decode" | "encode"): CodecCase[] {
  return fixtures.flatMap((f) =>
    implementations[direction].filter((implementation) =>
      implementation.kinds === undefined || implementation.kinds.includes(f.kind)
    ).map((implementation, i) => ({
      direction,
      message: f.label,
      group: `${direction} ${f.label}`,
      name: implementation.name,
      baseline: i === 0,
      fn: implementation.make(f),
      expected: implementation.expected(f),
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

/**
 * Runs every case for about `millisecondsPerCase` (at most 200 000 times) before anything is
 * measured, so that the first case measured does not pay for the JIT compiling the codec: with
 * mitata on Bun, whatever case ran first measured 2 to 3× slower than the same case run later,
 * which made the 16-byte request (the first case) look slower to decode than a signal.
 */
export function warmUpCodecCases(millisecondsPerCase = 20): void {
  for (const c of codecCases) {
    const until = performance.now() + millisecondsPerCase;
    for (let i = 0; i < 200_000; i++) {
      c.fn();
      if ((i & 255) === 0 && performance.now() > until) break;
    }
  }
}
