/**
 * `encodeReply` and `encodeSignal` into the one reused buffer of `message_scratch.ts`, for a
 * server's socket whose `send` copies the bytes before it returns (Deno's): the same bytes and
 * errors, without allocating. Internal: not exported by `mod.ts`.
 *
 * Each call overwrites the message the previous call returned: send it at once, keep nothing.
 *
 * @example
 * ```ts
 * import { encodeReplyInScratch } from "./encode_in_scratch.ts";
 * import { encodeReply } from "./encode_payload_message.ts";
 * const fields = { id: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), payload: "ok" };
 * console.assert(encodeReplyInScratch(fields).join() === encodeReply(fields).join());
 * ```
 * @module
 */

import type { ReplyFields, SignalFields } from "./encode_payload_message.ts";
import { scratchBuffer } from "./message_scratch.ts";
import { writeReplyMessage, writeSignalMessage } from "./payload_message_writer.ts";

/**
 * `encodeSignal` into the scratch buffer: the same bytes and errors.
 *
 * @example
 * ```ts
 * import { encodeSignalInScratch } from "./encode_in_scratch.ts";
 * const bytes = encodeSignalInScratch({ name: "tick", payload: "1" });
 * console.assert(bytes.length === 7 && bytes[0] === 64);
 * ```
 */
export function encodeSignalInScratch(fields: SignalFields): Uint8Array {
  return writeSignalMessage(fields, scratchBuffer, undefined, 0);
}

/**
 * `encodeReply` into the scratch buffer: the same bytes and errors.
 *
 * @example
 * ```ts
 * import { encodeReplyInScratch } from "./encode_in_scratch.ts";
 * const bytes = encodeReplyInScratch({ id: new Uint8Array(8), payload: new Uint8Array([7]) });
 * console.assert(bytes.length === 10 && bytes[9] === 7);
 * ```
 */
export function encodeReplyInScratch(fields: ReplyFields): Uint8Array {
  return writeReplyMessage(fields, scratchBuffer, undefined, 0);
}
