/**
 * Slab-backed variants of `encodeSignal`, `encodeRequest` and `encodeReply` for a server's hot
 * path on runtimes where allocating a small `Uint8Array` is slow: the same bytes, written into a
 * view of a shared, never reused slab (`message_slab.ts`) instead of an array of their own.
 * Internal: not exported by `mod.ts`.
 *
 * Only Deno gains: there a 41-byte `new Uint8Array` costs 400 to 700 ns and a slab view about
 * 35 ns, while on Bun and Node (V8 with small arrays on its heap) allocating costs about 30 ns
 * and a `subarray` view 40 to 50 ns, so the public encoders are faster there (see
 * `bench/README.md`). Choosing is for the runtime adapters.
 *
 * Use them only for messages that go straight to a send function taking the view
 * (`socket.send(bytes)`): the view's `.buffer` holds other messages, so it must never reach a
 * user or code that reads `.buffer`. The view's own bytes are never overwritten.
 *
 * @example
 * ```ts
 * import { encodeReplyInSlab } from "./encode_in_slab.ts";
 * import { encodeReply } from "./encode_payload_message.ts";
 * const fields = { id: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), payload: "ok" };
 * console.assert(encodeReplyInSlab(fields).join() === encodeReply(fields).join());
 * ```
 * @module
 */

import type { ReplyFields, RequestFields, SignalFields } from "./encode_payload_message.ts";
import { slabBuffer } from "./message_slab.ts";
import {
  writeReplyMessage,
  writeRequestMessage,
  writeSignalMessage,
} from "./payload_message_writer.ts";

/**
 * `encodeSignal` into a slab view: the same bytes and errors.
 *
 * @example
 * ```ts
 * import { encodeSignalInSlab } from "./encode_in_slab.ts";
 * const bytes = encodeSignalInSlab({ name: "tick", payload: "1" });
 * console.assert(bytes.length === 7 && bytes[0] === 64);
 * ```
 */
export function encodeSignalInSlab(fields: SignalFields): Uint8Array {
  return writeSignalMessage(fields, slabBuffer, undefined, 0);
}

/**
 * `encodeRequest` into a slab view: the same bytes and errors.
 *
 * @example
 * ```ts
 * import { encodeRequestInSlab } from "./encode_in_slab.ts";
 * const bytes = encodeRequestInSlab({ id: new Uint8Array(8), name: "echo", payload: "hi" });
 * console.assert(bytes.length === 16 && bytes[0] === 128);
 * ```
 */
export function encodeRequestInSlab(fields: RequestFields): Uint8Array {
  return writeRequestMessage(fields, slabBuffer, undefined, 0);
}

/**
 * `encodeReply` into a slab view: the same bytes and errors.
 *
 * @example
 * ```ts
 * import { encodeReplyInSlab } from "./encode_in_slab.ts";
 * const bytes = encodeReplyInSlab({ id: new Uint8Array(8), payload: new Uint8Array([7]) });
 * console.assert(bytes.length === 10 && bytes[9] === 7);
 * ```
 */
export function encodeReplyInSlab(fields: ReplyFields): Uint8Array {
  return writeReplyMessage(fields, slabBuffer, undefined, 0);
}
