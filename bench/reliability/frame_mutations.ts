/**
 * Mutated WebSocket frames for fuzzing a live server: each starts from a WebWire message (a
 * conformance vector, or a request of the conformance service) and is bit-flipped, truncated,
 * extended, given another type byte or a wrong length field, spliced with another message,
 * replaced by random bytes or made too big; some are sent as text frames, a few break the
 * WebSocket framing itself. Every choice comes from a {@link SeededRandom}, so a seed repeats
 * the same frames.
 *
 * @example
 * ```ts
 * import { mutatedFrame } from "./frame_mutations.ts";
 * import { SeededRandom } from "./seeded_random.ts";
 * const frame = mutatedFrame([new Uint8Array([33])], new SeededRandom(1));
 * console.assert(frame.bytes.length >= 2 && frame.kind.length > 0);
 * ```
 * @module
 */

import { encodeRequest, encodeSignal, requestIdFromNumber } from "../../protocol/mod.ts";
import { maskedFrame, Opcode } from "../../testing/ws_frame.ts";
import { readManifest, vectorBytes } from "../../conformance/vector_files.ts";
import { join } from "node:path";
import type { SeededRandom } from "./seeded_random.ts";

/**
 * One frame to send, ready for the wire (masked, as a client sends it), and the mutation that
 * made it.
 *
 * @example
 * ```ts
 * import type { FuzzFrame } from "./frame_mutations.ts";
 * const frame: FuzzFrame = { kind: "unchanged", bytes: new Uint8Array([0x82, 0x80, 0, 0, 0, 0]) };
 * console.assert(frame.kind === "unchanged");
 * ```
 */
export interface FuzzFrame {
  /** The mutation: `bit-flip`, `truncate`, ..., with `+text` when sent as a text frame. */
  readonly kind: string;
  /** The whole WebSocket frame. */
  readonly bytes: Uint8Array;
}

/** Above the servers' default message buffer of 8192 bytes. */
const oversizedMin = 8193;
const oversizedMax = 24_000;
/** The type bytes WebWire v2 defines; a changed type byte is one of these half of the time. */
const knownTypes = [0, 1, 2, 3, 4, 5, 21, 22, 23, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192];

type Mutation = (
  base: Uint8Array,
  bases: readonly Uint8Array[],
  random: SeededRandom,
) => Uint8Array;

const mutations: [string, number, Mutation][] = [
  ["unchanged", 8, (base) => base],
  ["bit-flip", 20, (base, _bases, random) => {
    const out = base.length === 0 ? new Uint8Array(1) : base.slice();
    for (let flips = random.between(1, 4); flips > 0; flips--) {
      out[random.below(out.length)] ^= 1 << random.below(8);
    }
    return out;
  }],
  ["truncate", 12, (base, _bases, random) => base.slice(0, random.below(base.length))],
  ["extend", 12, (base, _bases, random) => concat(base, random.bytes(random.between(1, 64)))],
  ["type-byte", 12, (base, _bases, random) => {
    const out = base.length === 0 ? new Uint8Array(1) : base.slice();
    out[0] = random.chance(0.5) ? random.pick(knownTypes) : random.below(256);
    return out;
  }],
  ["length-field", 10, (base, _bases, random) => {
    // Byte 1 is the name length of a signal; byte 9 that of a request, or an error code's.
    const out = base.slice();
    const at = random.chance(0.5) ? 1 : 9;
    if (at < out.length) out[at] = random.chance(0.5) ? 255 : random.below(256);
    return out;
  }],
  ["splice", 10, (base, bases, random) => {
    const other = random.pick(bases);
    return concat(
      base.subarray(0, random.below(base.length + 1)),
      other.subarray(random.below(other.length + 1)),
    );
  }],
  ["random-bytes", 8, (_base, _bases, random) => random.bytes(random.below(65))],
  ["oversized", 1, (base, _bases, random) => {
    const out = random.bytes(random.between(oversizedMin, oversizedMax));
    out.set(base.subarray(0, Math.min(base.length, 16)));
    return out;
  }],
];
const totalWeight = mutations.reduce((sum, [, weight]) => sum + weight, 0);

/**
 * A mutated frame: a random base message of `bases`, one mutation (rarely two), sent as a binary
 * frame, as a text frame (5 %), or as broken WebSocket framing (2 %: reserved bits or opcodes,
 * no mask, a lone continuation, a control frame too long).
 *
 * @example
 * ```ts
 * import { mutatedFrame } from "./frame_mutations.ts";
 * import { SeededRandom } from "./seeded_random.ts";
 * const bases = [new Uint8Array([33]), new Uint8Array([64, 1, 97, 98])];
 * const a = mutatedFrame(bases, new SeededRandom(5));
 * const b = mutatedFrame(bases, new SeededRandom(5));
 * console.assert(a.kind === b.kind && a.bytes.join() === b.bytes.join());
 * ```
 */
export function mutatedFrame(bases: readonly Uint8Array[], random: SeededRandom): FuzzFrame {
  if (random.chance(0.02)) return brokenFraming(random.pick(bases), random);
  let message = random.pick(bases);
  let kind = "";
  for (let rounds = random.chance(0.1) ? 2 : 1; rounds > 0; rounds--) {
    let roll = random.below(totalWeight);
    const [name, , mutate] = mutations.find(([, weight]) => (roll -= weight) < 0)!;
    message = mutate(message, bases, random);
    kind = kind === "" ? name : `${kind}+${name}`;
  }
  if (random.chance(0.05)) {
    return { kind: `${kind}+text`, bytes: maskedFrame(message, Opcode.Text) };
  }
  return { kind, bytes: maskedFrame(message) };
}

function brokenFraming(message: Uint8Array, random: SeededRandom): FuzzFrame {
  const payload = message.subarray(0, 125);
  switch (random.below(5)) {
    case 0: {
      const bytes = maskedFrame(payload);
      bytes[0] |= 0x40; // RSV1 without a negotiated extension
      return { kind: "ws-rsv-bit", bytes };
    }
    case 1: {
      const bytes = maskedFrame(payload);
      bytes[0] = 0x80 | random.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]);
      return { kind: "ws-reserved-opcode", bytes };
    }
    case 2: {
      // A client's frame must be masked.
      const bytes = new Uint8Array(2 + payload.length);
      bytes[0] = 0x82;
      bytes[1] = payload.length;
      bytes.set(payload, 2);
      return { kind: "ws-unmasked", bytes };
    }
    case 3: {
      const bytes = maskedFrame(payload);
      bytes[0] = 0x80; // a continuation with nothing to continue
      return { kind: "ws-lone-continuation", bytes };
    }
    default:
      return {
        kind: "ws-long-ping",
        bytes: maskedFrame(random.bytes(126 + random.below(200)), Opcode.Ping),
      };
  }
}

/**
 * The base messages: every conformance vector of at most `maxLength` bytes (valid and invalid,
 * from either side), and the conformance service's requests and signals (echo, error, internal,
 * whoami, logout, echo-signal) with a heartbeat, so that many mutations still reach a handler.
 * The vectors are read from `conformance/vectors` under `root` (the repository; default the
 * working directory, since a bundle no longer sits beside them).
 *
 * @example
 * ```ts
 * import { fuzzBases } from "./frame_mutations.ts";
 * const bases = await fuzzBases();
 * console.assert(bases.length > 400);
 * ```
 */
export async function fuzzBases(root = ".", maxLength = 8192): Promise<Uint8Array[]> {
  const dir = join(root, "conformance", "vectors");
  const manifest = await readManifest(dir);
  const bases: Uint8Array[] = [];
  for (const vector of manifest.vectors) {
    if (vector.generate !== undefined) continue; // the 1 MiB ones: "oversized" covers them
    const bytes = await vectorBytes(vector, dir);
    if (bytes.length <= maxLength) bases.push(bytes);
  }
  const id = requestIdFromNumber(1);
  for (const name of ["echo", "error", "internal", "whoami", "logout", ""]) {
    bases.push(encodeRequest({ id, name, payload: "fuzz payload" }));
  }
  bases.push(encodeSignal({ name: "echo-signal", payload: "fuzz" }));
  bases.push(new Uint8Array([33]));
  return bases;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
