/**
 * The bytes that answer a request: what a handler returned, or what it threw, turned into a
 * reply, an error reply or an internal-error reply. Internal to the server core.
 *
 * @example
 * ```ts
 * import { replyFor } from "./reply_bytes.ts";
 * const bytes = replyFor(new Uint8Array(8), "ok", console);
 * console.assert(bytes[0] === 192 && bytes.length === 11);
 * ```
 * @module
 */

import { encodeErrorReply, encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { encodeReply, type ReplyFields } from "../protocol/encode_payload_message.ts";
import type { Logger } from "../protocol/logger.ts";
import { MessageType, type PayloadEncoding } from "../protocol/message_type.ts";
import { Payload } from "../protocol/payload.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { ReplyValue } from "./incoming.ts";

/**
 * A payload as given to `connection.signal` or returned by a handler, split into what the
 * encoders take: a `Payload` keeps its encoding, anything else uses `encoding` (or the
 * encoders' default).
 *
 * @example
 * ```ts
 * import { payloadParts } from "./reply_bytes.ts";
 * import { Payload } from "../protocol/payload.ts";
 * console.assert(payloadParts(Payload.from("x", "utf16"), undefined)[1] === "utf16");
 * ```
 */
export function payloadParts(
  payload: Payload | Uint8Array | string | undefined,
  encoding: PayloadEncoding | undefined,
): [Uint8Array | string | undefined, PayloadEncoding | undefined] {
  if (payload instanceof Payload) return [payload.bytes, payload.encoding];
  return [payload, encoding];
}

/**
 * The reply to request `id` for what its handler returned; a value that cannot be encoded (say,
 * UTF-16 bytes of odd length) is the handler's bug and gets an internal-error reply. `encode`
 * writes a reply (`encodeReply`, or `encodeReplyInScratch` for a socket that copies on send).
 *
 * @example
 * ```ts
 * import { replyFor } from "./reply_bytes.ts";
 * console.assert(replyFor(new Uint8Array(8), undefined, console).length === 9);
 * ```
 */
export function replyFor(
  id: Uint8Array,
  value: ReplyValue,
  logger: Logger,
  encode: (fields: ReplyFields) => Uint8Array = encodeReply,
): Uint8Array {
  try {
    if (value === undefined || value === null) return encode({ id });
    if (
      typeof value !== "string" && !(value instanceof Uint8Array) && !(value instanceof Payload)
    ) {
      // Plain JavaScript handlers can return anything; say what a reply must be.
      logger.error(
        "request handler failed: a reply must be a string, Uint8Array, Payload or undefined; " +
          `got ${typeof value}`,
      );
      return encodeSpecialReply(MessageType.InternalErrorReply, id);
    }
    // Not through payloadParts: no array per reply.
    if (value instanceof Payload) {
      return encode({ id, payload: value.bytes, encoding: value.encoding });
    }
    return encode({ id, payload: value });
  } catch (error) {
    return failureReply(id, error, logger, "a reply that cannot be encoded");
  }
}

/**
 * The reply to request `id` whose handler threw `error`: an error reply for a `RequestError`,
 * else an internal-error reply, the error logged and never sent.
 *
 * @example
 * ```ts
 * import { failureReply } from "./reply_bytes.ts";
 * import { RequestError } from "../protocol/request_error.ts";
 * const bytes = failureReply(new Uint8Array(8), new RequestError("E", "m"), console, "test");
 * console.assert(bytes[0] === 0 && bytes[9] === 1);
 * ```
 */
export function failureReply(
  id: Uint8Array,
  error: unknown,
  logger: Logger,
  what: string,
): Uint8Array {
  if (error instanceof RequestError) {
    return encodeErrorReply({ id, code: error.code, message: error.message });
  }
  logger.error(`request handler failed (${what})`, error);
  return encodeSpecialReply(MessageType.InternalErrorReply, id);
}
