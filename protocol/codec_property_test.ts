import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode_message.ts";
import { encodeReply, encodeRequest, encodeSignal } from "./encode_payload_message.ts";
import {
  encodeAcceptConf,
  encodeCloseSession,
  encodeErrorReply,
  encodeHeartbeat,
  encodeRestoreSession,
  encodeSessionClosed,
  encodeSessionCreated,
  encodeSpecialReply,
  type SpecialReplyType,
} from "./encode_control_message.ts";
import type { Message } from "./message.ts";
import type { PayloadEncoding } from "./message_type.ts";
import { ProtocolError, type ProtocolErrorReason } from "./protocol_error.ts";

// Case counts: 40 000 round trips + 60 000 random frames + 60 000 mutated frames = 160 000.
const roundTripRuns = 40_000;
const randomRuns = 60_000;
const mutationRuns = 60_000;

type Fields = Record<string, unknown>;

/** A message to encode and the fields its decoding must show. */
interface Case {
  bytes: Uint8Array;
  expect: Fields;
}

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

const id = fc.uint8Array({ minLength: 8, maxLength: 8 });
const printable = (minLength: number, maxLength: number) =>
  fc.uint8Array({ min: 32, max: 126, minLength, maxLength });
const encoding = fc.constantFrom<PayloadEncoding>("binary", "utf8", "utf16");
const anyBytes = fc.uint8Array({ maxLength: 300 });
const evenBytes = anyBytes.map((b) => (b.length % 2 === 0 ? b : b.subarray(1)));
/** A payload as bytes or a string, already resolved to its wire bytes for the encoding. */
const payloadFor = (enc: PayloadEncoding) =>
  fc.oneof(
    enc === "utf16" ? evenBytes : anyBytes,
    fc.string({ unit: "binary", maxLength: 40 }),
  ).map((input) => ({
    input,
    wire: typeof input !== "string"
      ? input
      : enc === "utf16"
      ? utf16le(input)
      : new TextEncoder().encode(input),
  }));

const signalCase: fc.Arbitrary<Case> = encoding.chain((enc) =>
  fc.tuple(printable(0, 255), payloadFor(enc)).filter(([name, p]) =>
    enc === "utf16" ? p.wire.length >= 2 : name.length + p.wire.length > 0
  ).map(([name, p]) => ({
    bytes: encodeSignal({ name, payload: p.input, encoding: enc }),
    expect: { kind: "signal", encoding: enc, name: hex(name), payload: hex(p.wire) },
  }))
);

const requestCase: fc.Arbitrary<Case> = encoding.chain((enc) =>
  fc.tuple(id, printable(0, 255), payloadFor(enc)).filter(([, name, p]) =>
    name.length + p.wire.length > 0
  ).map(([rid, name, p]) => ({
    bytes: encodeRequest({ id: rid, name, payload: p.input, encoding: enc }),
    expect: { kind: "request", id: hex(rid), encoding: enc, name: hex(name), payload: hex(p.wire) },
  }))
);

const replyCase: fc.Arbitrary<Case> = encoding.chain((enc) =>
  fc.tuple(id, payloadFor(enc)).map(([rid, p]) => ({
    bytes: encodeReply({ id: rid, payload: p.input, encoding: enc }),
    expect: { kind: "reply", id: hex(rid), encoding: enc, payload: hex(p.wire) },
  }))
);

const errorReplyCase: fc.Arbitrary<Case> = fc.tuple(id, printable(1, 255), anyBytes).map((
  [rid, code, message],
) => ({
  bytes: encodeErrorReply({ id: rid, code, message }),
  expect: { kind: "error-reply", id: hex(rid), code: hex(code), message: hex(message) },
}));

const specialKinds = [
  "shutdown-reply",
  "internal-error-reply",
  "session-not-found-reply",
  "max-session-connections-reply",
  "sessions-disabled-reply",
];
const specialCase: fc.Arbitrary<Case> = fc.tuple(fc.integer({ min: 1, max: 5 }), id).map((
  [type, rid],
) => ({
  bytes: encodeSpecialReply(type as SpecialReplyType, rid),
  expect: { kind: specialKinds[type - 1], id: hex(rid) },
}));

const controlCase: fc.Arbitrary<Case> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((json) => ({
    bytes: encodeSessionCreated(json),
    expect: { kind: "session-created", json: hex(json) },
  })),
  fc.tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.nat({ max: 0xffffffff }),
    fc.nat({ max: 0xffffffff }),
    printable(0, 300),
  ).map(([major, minor, readTimeoutMs, messageBufferSize, subProtocol]) => ({
    bytes: encodeAcceptConf({ major, minor, readTimeoutMs, messageBufferSize, subProtocol }),
    expect: {
      kind: "accept-conf",
      major,
      minor,
      readTimeoutMs,
      messageBufferSize,
      subProtocol: hex(subProtocol),
    },
  })),
  id.map((rid) => ({
    bytes: encodeCloseSession(rid),
    expect: { kind: "close-session", id: hex(rid) },
  })),
  fc.tuple(id, printable(1, 100)).map(([rid, key]) => ({
    bytes: encodeRestoreSession(rid, key),
    expect: { kind: "restore-session", id: hex(rid), key: hex(key) },
  })),
  fc.constant({ bytes: encodeHeartbeat(), expect: { kind: "heartbeat" } }),
  fc.constant({ bytes: encodeSessionClosed(), expect: { kind: "session-closed" } }),
);

const validCase: fc.Arbitrary<Case> = fc.oneof(
  signalCase,
  requestCase,
  replyCase,
  errorReplyCase,
  specialCase,
  controlCase,
);

/** Every field of a decoded message, read through its public getters, as comparable values. */
function fieldsOf(m: Message): Fields {
  switch (m.kind) {
    case "signal":
      return { kind: m.kind, encoding: m.encoding, name: hex(m.name), payload: hex(m.payload) };
    case "request":
      return {
        kind: m.kind,
        id: hex(m.id),
        encoding: m.encoding,
        name: hex(m.name),
        payload: hex(m.payload),
      };
    case "reply":
      return { kind: m.kind, id: hex(m.id), encoding: m.encoding, payload: hex(m.payload) };
    case "error-reply":
      return { kind: m.kind, id: hex(m.id), code: hex(m.code), message: hex(m.message) };
    case "session-created":
      return { kind: m.kind, json: hex(m.json) };
    case "accept-conf":
      return {
        kind: m.kind,
        major: m.major,
        minor: m.minor,
        readTimeoutMs: m.readTimeoutMs,
        messageBufferSize: m.messageBufferSize,
        subProtocol: hex(m.subProtocol),
      };
    case "restore-session":
      return { kind: m.kind, id: hex(m.id), key: hex(m.key) };
    case "heartbeat":
    case "session-closed":
      return { kind: m.kind };
    default:
      return { kind: m.kind, id: hex(m.id) };
  }
}

/** Every byte view a message hands out, including through its text getters' sources. */
function viewsOf(m: Message): Uint8Array[] {
  const views = [m.bytes];
  if ("id" in m) views.push(m.id);
  switch (m.kind) {
    case "signal":
    case "request":
      views.push(m.name, m.payload);
      assert.equal(typeof m.nameText, "string");
      break;
    case "reply":
      views.push(m.payload);
      break;
    case "error-reply":
      views.push(m.code, m.message);
      assert.equal(typeof m.codeText, "string");
      assert.equal(typeof m.messageText, "string");
      break;
    case "session-created":
      views.push(m.json);
      break;
    case "accept-conf":
      views.push(m.subProtocol);
      assert.equal(typeof m.subProtocolText, "string");
      break;
    case "restore-session":
      views.push(m.key);
      assert.equal(typeof m.keyText, "string");
      break;
  }
  return views;
}

/**
 * The reference parser's verdict, derived independently from the wire rules: the
 * ProtocolError reason for invalid bytes, or null for valid ones.
 */
function referenceVerdict(b: Uint8Array): ProtocolErrorReason | null {
  const n = b.length;
  if (n === 0) return "empty";
  const t = b[0];
  const min = (k: number) => n < k;
  if (t === 63 || t === 64) {
    if (min(3)) return "too-short";
    return 2 + b[1] > n ? "name-overflow" : null;
  }
  if (t === 65) {
    if (min(4)) return "too-short";
    if (n % 2 === 1) return "utf16-unaligned";
    const offset = 2 + b[1] + (b[1] % 2);
    if (offset > n) return "name-overflow";
    return offset + 2 > n ? "too-short" : null;
  }
  if (t === 127 || t === 128) {
    if (min(11)) return "too-short";
    return 10 + b[9] > n ? "name-overflow" : null;
  }
  if (t === 129) {
    if (min(11)) return "too-short";
    if (n % 2 === 1) return "utf16-unaligned";
    return 10 + b[9] + (b[9] % 2) > n ? "name-overflow" : null;
  }
  if (t === 191 || t === 192) return min(9) ? "too-short" : null;
  if (t === 193) return min(10) ? "too-short" : n % 2 === 1 ? "utf16-unaligned" : null;
  if (t === 0) {
    if (min(11)) return "too-short";
    if (b[9] === 0) return "empty-error-code";
    return 10 + b[9] > n ? "code-overflow" : null;
  }
  if (t >= 1 && t <= 5) return min(9) ? "too-short" : null;
  if (t === 21) return min(2) ? "too-short" : null;
  if (t === 22 || t === 33) return n === 1 ? null : "bad-length";
  if (t === 23) return min(11) ? "too-short" : null;
  if (t === 31) return n === 9 ? null : "bad-length";
  if (t === 32) return min(10) ? "too-short" : null;
  return "unknown-type";
}

/**
 * Decodes `frame` placed inside a larger buffer with guard bytes on both sides, and checks:
 * only ProtocolError is thrown, with the reference's reason; a decoded message's views all
 * lie within the frame; re-encoding (when the writer accepts the fields) decodes to the same
 * fields.
 */
function checkFrame(frame: Uint8Array): void {
  const backing = new Uint8Array(frame.length + 16).fill(0xee);
  backing.set(frame, 8);
  const input = backing.subarray(8, 8 + frame.length);
  const verdict = referenceVerdict(frame);
  let message: Message;
  try {
    message = decodeMessage(input);
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${error}`);
    assert.equal(error.reason, verdict, `reason for ${hex(frame)}`);
    return;
  }
  assert.equal(verdict, null, `decoded ${hex(frame)}, which the reference rejects`);
  for (const view of viewsOf(message)) {
    assert.equal(view.buffer, backing.buffer, "a view, not a copy");
    assert.ok(view.byteOffset >= input.byteOffset, "view starts before the frame");
    assert.ok(
      view.byteOffset + view.length <= input.byteOffset + input.length,
      "view ends after the frame",
    );
  }
  const fields = fieldsOf(message);
  let again: Uint8Array;
  try {
    again = encodeMessage(message);
  } catch (error) {
    // Writers refuse non-printable names and codes, which receivers accept.
    assert.ok(error instanceof RangeError, `encodeMessage threw ${error}`);
    return;
  }
  assert.deepEqual(fieldsOf(decodeMessage(again)), fields);
}

const knownTypes = [
  0,
  1,
  2,
  3,
  4,
  5,
  21,
  22,
  23,
  31,
  32,
  33,
  63,
  64,
  65,
  127,
  128,
  129,
  191,
  192,
  193,
];

test("encode then decode is the identity for random valid messages of every kind", () => {
  fc.assert(
    fc.property(validCase, ({ bytes, expect }) => {
      const message = decodeMessage(bytes);
      assert.deepEqual(fieldsOf(message), expect);
      assert.deepEqual(encodeMessage(message), bytes);
    }),
    { numRuns: roundTripRuns },
  );
});

test("random byte arrays decode like the reference or throw ProtocolError, in bounds", () => {
  const frame = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.tuple(fc.constantFrom(...knownTypes), fc.uint8Array({ maxLength: 300 })).map((
      [type, rest],
    ) => Uint8Array.of(type, ...rest)),
    fc.tuple(fc.constantFrom(...knownTypes), fc.uint8Array({ maxLength: 14 })).map((
      [type, rest],
    ) => Uint8Array.of(type, ...rest)),
  );
  fc.assert(fc.property(frame, checkFrame), { numRuns: randomRuns });
});

test("mutated valid frames (bit flips, truncation, extension) stay safe", () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip"), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant("set"), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate"), at: fc.nat() }),
    fc.record({
      kind: fc.constant("extend"),
      extra: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  );
  fc.assert(
    fc.property(validCase, fc.array(mutation, { minLength: 1, maxLength: 3 }), (valid, steps) => {
      let frame = valid.bytes.slice();
      for (const step of steps) {
        const at = frame.length === 0 ? 0 : ("at" in step ? step.at % frame.length : 0);
        if (step.kind === "flip" && frame.length > 0) frame[at] ^= 1 << step.bit;
        else if (step.kind === "set" && frame.length > 0) frame[at] = step.value;
        else if (step.kind === "truncate") frame = frame.slice(0, at);
        else if (step.kind === "extend") frame = Uint8Array.of(...frame, ...step.extra);
      }
      checkFrame(frame);
    }),
    { numRuns: mutationRuns },
  );
});
