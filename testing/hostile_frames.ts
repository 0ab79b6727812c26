/**
 * Seeded random frames a hostile or broken WebWire server sends to a client: replies of every
 * type to known and unknown ids, truncated and mutated messages, session messages with bad
 * JSON or huge info, text frames and garbage. For the client's hostile-server fuzz test.
 *
 * @example
 * ```ts
 * import { hostileFrame, Rng } from "./hostile_frames.ts";
 * const frame = hostileFrame(new Rng(1), [new Uint8Array(8)]);
 * console.assert(typeof frame.fatal === "boolean");
 * ```
 * @module
 */

import { concatBytes } from "../adapters/concat_bytes.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { MessageType as T } from "../protocol/message_type.ts";
import { acceptConf } from "./scripted_peer.ts";

/**
 * A small deterministic random source (mulberry32).
 *
 * @example
 * ```ts
 * import { Rng } from "./hostile_frames.ts";
 * console.assert(new Rng(7).int(10) === new Rng(7).int(10));
 * ```
 */
export class Rng {
  #state: number;
  /** Starts from `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One of `items`. */
  pick<V>(items: readonly V[]): V {
    return items[this.int(items.length)];
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/**
 * A frame to send: bytes (binary) or a string (text), and whether the client must treat it as
 * a protocol violation (it does not decode, or it is text).
 *
 * @example
 * ```ts
 * import type { HostileFrame } from "./hostile_frames.ts";
 * const text: HostileFrame = { data: "hi", fatal: true };
 * console.assert(text.fatal);
 * ```
 */
export interface HostileFrame {
  /** The frame. */
  readonly data: Uint8Array | string;
  /** Whether it is malformed for a client: a text frame or bytes that do not decode. */
  readonly fatal: boolean;
}

/**
 * Wraps `data` with its verdict from the decoder itself.
 *
 * @example
 * ```ts
 * import { classify } from "./hostile_frames.ts";
 * console.assert(classify(new Uint8Array([22])).fatal === false);
 * console.assert(classify(new Uint8Array([])).fatal === true);
 * ```
 */
export function classify(data: Uint8Array | string): HostileFrame {
  if (typeof data === "string") return { data, fatal: true };
  try {
    decodeMessage(data);
    return { data, fatal: false };
  } catch {
    return { data, fatal: true };
  }
}

const utf8 = new TextEncoder();

/** The parts, bytes or byte lists, one after another (a lone part as it is). */
function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return concatBytes(parts.map((part) => part instanceof Uint8Array ? part : new Uint8Array(part)));
}

/** Payload bytes: text, invalid UTF-8, lone surrogates, odd lengths, sometimes large. */
function payload(rng: Rng): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return new Uint8Array(0);
    case 1:
      return utf8.encode("héllo wörld ☃ 𝄞");
    case 2:
      return new Uint8Array([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]); // invalid UTF-8
    case 3:
      return new Uint8Array([0x00, 0xd8, 0x41, 0x00, 0x00, 0xdc]); // lone UTF-16 surrogates
    case 4:
      return rng.bytes(rng.int(40));
    default:
      return rng.bytes(rng.chance(0.1) ? 70_000 : rng.int(300));
  }
}

/**
 * Session JSON as a server might send it: valid (another key, huge info, odd keys) or not
 * (bad JSON, bad times, invalid UTF-8, deep nesting).
 *
 * @example
 * ```ts
 * import { Rng, sessionJson } from "./hostile_frames.ts";
 * console.assert(sessionJson(new Rng(3)).length > 0);
 * ```
 */
export function sessionJson(rng: Rng): Uint8Array {
  const time = '"c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00.123456789+05:30"';
  const key = rng.pick(["k".repeat(64), "ключ", "", "a\u0000b", "x".repeat(20_000)]);
  switch (rng.int(9)) {
    case 0:
      return utf8.encode(`{"k":${JSON.stringify(key)},${time}}`);
    case 1:
      return utf8.encode(`{"k":"${"k".repeat(64)}",${time},"i":{"big":"${"x".repeat(300_000)}"}}`);
    case 2:
      return utf8.encode(`{"k":"${"k".repeat(64)}",${time},"i":${"[".repeat(5000)}`);
    case 3:
      return utf8.encode(`{"k":"s",${time},"i":{"__proto__":{"polluted":1},"d":${deep(3000)}}}`);
    case 4:
      return utf8.encode(rng.pick(["[]", "null", "1", '"k"', "{", "{}", '{"k":5}']));
    case 5:
      return utf8.encode(`{"k":"s","c":"2021-02-30T00:00:00Z","l":"x"}`);
    case 6:
      return new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]); // invalid UTF-8
    case 7:
      return rng.bytes(1 + rng.int(50));
    default:
      return utf8.encode(`{"k":"s${rng.int(3)}",${time},"i":{"user":"ada"}}`);
  }
}

function deep(levels: number): string {
  return "[".repeat(levels) + "]".repeat(levels);
}

function id(rng: Rng, ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length > 0 && rng.chance(0.7)) return ids[rng.int(ids.length)];
  return rng.pick([rng.bytes(8), new Uint8Array(8), new Uint8Array(8).fill(0xff)]);
}

/** A well-formed (or nearly so) message of a random type: the base that mutations start from. */
function baseMessage(rng: Rng, ids: readonly Uint8Array[]): Uint8Array {
  const body = payload(rng);
  switch (rng.int(13)) {
    case 0:
      return concat([rng.pick([T.ReplyBinary, T.ReplyUtf8])], id(rng, ids), body);
    case 1:
      return concat([T.ReplyUtf16], id(rng, ids), [0], body); // odd payload: invalid
    case 2: {
      const code = rng.chance(0.5) ? utf8.encode("E_FAIL") : rng.bytes(1 + rng.int(20));
      const length = rng.chance(0.8) ? code.length : rng.int(256);
      return concat([T.ErrorReply], id(rng, ids), [length], code, body);
    }
    case 3:
      return concat([1 + rng.int(5)], id(rng, ids), rng.chance(0.2) ? body : []);
    case 4:
      return concat([T.SessionCreated], sessionJson(rng));
    case 5:
      return new Uint8Array([T.SessionClosed]);
    case 6:
      return acceptConf({
        major: rng.pick([2, 2, 3]),
        readTimeoutMs: rng.pick([0, 1, 60_000]),
        messageBufferSize: rng.pick([0, 9, 8192]),
      });
    case 7: {
      const name = rng.chance(0.5) ? utf8.encode("tick") : rng.bytes(rng.int(8));
      const type = rng.pick([T.SignalBinary, T.SignalUtf8, T.SignalUtf16]);
      const pad = type === T.SignalUtf16 && name.length % 2 === 1 ? [0] : [];
      return concat([type, rng.chance(0.9) ? name.length : rng.int(256)], name, pad, body);
    }
    case 8:
      return concat([rng.pick([T.RequestBinary, T.RequestUtf8])], id(rng, ids), [1, 0x71], body);
    case 9:
      return new Uint8Array([T.Heartbeat]);
    case 10:
      return concat([T.RestoreSession], id(rng, ids), utf8.encode("key"));
    case 11:
      return concat([T.CloseSession], id(rng, ids));
    default:
      return concat([rng.int(256)], rng.bytes(rng.int(16))); // garbage, any type byte
  }
}

/**
 * One random frame for a client that has sent requests with `ids` on this connection.
 *
 * @example
 * ```ts
 * import { hostileFrame, Rng } from "./hostile_frames.ts";
 * const rng = new Rng(42);
 * const frames = Array.from({ length: 50 }, () => hostileFrame(rng, []));
 * console.assert(frames.some((f) => f.fatal) && frames.some((f) => !f.fatal));
 * ```
 */
export function hostileFrame(rng: Rng, ids: readonly Uint8Array[]): HostileFrame {
  const base = baseMessage(rng, ids);
  switch (rng.int(8)) {
    case 0: // truncated at a random point
      return classify(base.subarray(0, rng.int(base.length)));
    case 1: { // one byte flipped
      const copy = base.slice();
      if (copy.length > 0) copy[rng.int(copy.length)] ^= 1 << rng.int(8);
      return classify(copy);
    }
    case 2: // one byte too many
      return classify(concat(base, [rng.int(256)]));
    case 3:
      return classify(
        rng.pick(["", "hello", "\u{1F600}\uD800", "x".repeat(70_000), '{"k":"s"}']),
      );
    default:
      return classify(base);
  }
}

/**
 * A correct reply of the given kind to a client message: an empty binary reply for
 * close-session and requests, the session JSON for a restore. `null` for what needs none.
 *
 * @example
 * ```ts
 * import { properReply } from "./hostile_frames.ts";
 * const reply = properReply(new Uint8Array([31, 1, 0, 0, 0, 0, 0, 0, 0]));
 * console.assert(reply !== null && reply[0] === 191 && reply.length === 9);
 * ```
 */
export function properReply(message: Uint8Array): Uint8Array | null {
  const type = message[0];
  const requestId = message.subarray(1, 9);
  if (type === T.CloseSession) return concat([T.ReplyBinary], requestId);
  if (type === T.RestoreSession) {
    const key = new TextDecoder().decode(message.subarray(9));
    const json = `{"k":${
      JSON.stringify(key)
    },"c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}`;
    return concat([T.ReplyUtf8], requestId, utf8.encode(json));
  }
  if (type === T.RequestBinary || type === T.RequestUtf8 || type === T.RequestUtf16) {
    return concat([T.ReplyBinary], requestId, utf8.encode("ok"));
  }
  return null;
}
