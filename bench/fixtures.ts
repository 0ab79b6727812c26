/**
 * The messages the codec benchmark measures, built once and shared by the Deno runner
 * (`codec_bench.ts`) and the Bun runner (`codec_mitata.ts`) so that both measure the same
 * bytes.
 *
 * Each fixture holds one message in three wire forms:
 * - WebWire v2 bytes (binary encoding: types 127, 63, 191);
 * - the equivalent JSON text `{"id":1,"name":"...","payload":"<base64>"}`: a binary payload in
 *   JSON is realistically a base64 string. It is kept as a string, as a WebSocket text frame
 *   delivers it; the benchmark does not base64-decode it, which favours JSON;
 * - the equivalent MessagePack bytes of `{id: 1, name, payload: Uint8Array}` made by msgpackr
 *   (the payload as `bin`, which msgpackr decodes into a view, like our decoder).
 *
 * @module
 */

import { pack } from "msgpackr/pack";
import { encodeReply, encodeRequest, encodeSignal, requestIdFromNumber } from "../mod.ts";

/** Which WebWire message a fixture is. */
export type FixtureKind = "request" | "signal" | "reply";

/** The plain-object form of a fixture, as JSON and MessagePack users would send it. */
export interface PlainMessage<P> {
  id?: number;
  name?: string;
  payload: P;
}

/** One message in every wire form the benchmark compares. */
export interface CodecFixture {
  /** Row label, e.g. `request 16 B`. */
  readonly label: string;
  readonly kind: FixtureKind;
  /** The 8-byte request id (requests and replies). */
  readonly id: Uint8Array;
  /** The name (requests and signals), printable ASCII. */
  readonly name: string | undefined;
  readonly payload: Uint8Array;
  /** The WebWire v2 encoding of the message. */
  readonly wire: Uint8Array;
  /** Offset of the payload in {@link CodecFixture.wire}. */
  readonly payloadOffset: number;
  /** The equivalent message for `JSON.stringify`, payload as base64. */
  readonly jsonValue: PlainMessage<string>;
  /** `JSON.stringify(jsonValue)`. */
  readonly jsonText: string;
  /** The equivalent message for msgpackr, payload as bytes. */
  readonly msgpackValue: PlainMessage<Uint8Array>;
  /** `pack(msgpackValue)`. */
  readonly msgpack: Uint8Array;
}

/** Name of the benchmarked requests: a typical dotted method name (9 bytes). */
export const requestName = "users.get";
/** Name of the benchmarked signal (8 bytes). */
export const signalName = "presence";

const KiB = 1024;

function patternBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function fixture(
  label: string,
  kind: FixtureKind,
  name: string | undefined,
  payloadSize: number,
): CodecFixture {
  const id = requestIdFromNumber(1);
  const payload = patternBytes(payloadSize);
  let wire: Uint8Array;
  if (kind === "request") wire = encodeRequest({ id, name, payload });
  else if (kind === "signal") wire = encodeSignal({ name, payload });
  else wire = encodeReply({ id, payload });
  // Key order id, name, payload, as a user would write the literal.
  const plain = <P>(p: P): PlainMessage<P> => {
    if (kind === "request") return { id: 1, name, payload: p };
    if (kind === "signal") return { name, payload: p };
    return { id: 1, payload: p };
  };
  const jsonValue = plain(base64(payload));
  const msgpackValue = plain(payload);
  return {
    label,
    kind,
    id,
    name,
    payload,
    wire,
    payloadOffset: wire.length - payload.length,
    jsonValue,
    jsonText: JSON.stringify(jsonValue),
    msgpackValue,
    msgpack: pack(msgpackValue),
  };
}

/**
 * Every fixture in benchmark order: a small named request (16-byte payload), the same request
 * with 1 KiB, 64 KiB and 1 MiB payloads, a signal and a reply (16-byte payloads).
 */
export const fixtures: readonly CodecFixture[] = [
  fixture("request 16 B", "request", requestName, 16),
  fixture("request 1 KiB", "request", requestName, KiB),
  fixture("request 64 KiB", "request", requestName, 64 * KiB),
  fixture("request 1 MiB", "request", requestName, KiB * KiB),
  fixture("signal 16 B", "signal", signalName, 16),
  fixture("reply 16 B", "reply", undefined, 16),
];
