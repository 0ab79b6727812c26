/**
 * The bytes that answer a request: what a handler returned, or what it threw, turned into a
 * reply, an error reply or an internal-error reply. Internal to the server core.
 *
 * @example
 * ```ts
 * import { replyFor } from "./reply_bytes.ts";
 * const bytes = replyFor(new Uint8Array(9), "ok", console);
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
import { isUint8Array, valueKind } from "../protocol/value_kind.ts";
import type { ReplyValue } from "./incoming.ts";
import { isInstance } from "./is_instance.ts";

/**
 * A payload as given to `connection.signal` or returned by a handler, split into what the
 * encoders take: a `Payload` keeps its encoding, anything else uses `encoding` (or the
 * encoders' default).
 *
 * @example
 * ```ts
 * import { payloadParts } from "./reply_bytes.ts";
 * import { Payload } from "@webwire/webwire/protocol";
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
 * Stands in for the id in the encoders' fields; the request's id is copied over it afterwards,
 * which costs less than a view of the id per reply.
 */
const placeholderId = new Uint8Array(8);

/**
 * The reply for what the handler of `request` (a request message's bytes: its id is bytes 1
 * to 8) returned; a value that cannot be encoded (say, UTF-16 bytes of odd length) is the
 * handler's bug and gets an internal-error reply. `encode` writes a reply (`encodeReply`, or
 * `encodeReplyInScratch` for a socket that copies on send); `name`, the request's name, is
 * named in what is logged.
 *
 * @example
 * ```ts
 * import { replyFor } from "./reply_bytes.ts";
 * import { encodeRequest } from "@webwire/webwire/protocol";
 * const request = encodeRequest({ id: new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]), name: "q" });
 * const reply = replyFor(request, "ok", console);
 * console.assert(reply.length === 11 && reply[1] === 5);
 * ```
 */
export function replyFor(
  request: Uint8Array,
  value: ReplyValue,
  logger: Logger,
  encode: (fields: ReplyFields) => Uint8Array = encodeReply,
  name?: string,
): Uint8Array {
  let reply: Uint8Array;
  try {
    if (value === undefined || value === null) reply = encode({ id: placeholderId });
    else if (typeof value === "string" || isUint8Array(value)) {
      reply = encode({ id: placeholderId, payload: value });
    } else if (value instanceof Payload) {
      // Not through payloadParts: no array per reply.
      reply = encode({ id: placeholderId, payload: value.bytes, encoding: value.encoding });
    } else {
      // Plain JavaScript handlers can return anything; say what a reply must be.
      const of = name === undefined ? "" : ` (request ${JSON.stringify(name)})`;
      logger.error(
        `request handler failed${of}: a reply must be a string, Uint8Array, Payload or ` +
          `undefined; got ${valueKind(value)} (return an object as JSON.stringify(value))`,
      );
      return encodeSpecialReply(MessageType.InternalErrorReply, request.subarray(1, 9));
    }
  } catch (error) {
    return failureReply(request.subarray(1, 9), error, logger, "a reply that cannot be encoded");
  }
  for (let i = 1; i < 9; i++) reply[i] = request[i];
  return reply;
}

/**
 * The reply to request `id` whose handler threw `error`: an error reply for a `RequestError`,
 * else an internal-error reply, the error logged and never sent.
 *
 * @example
 * ```ts
 * import { failureReply } from "./reply_bytes.ts";
 * import { RequestError } from "@webwire/webwire/protocol";
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
  if (isInstance(error, RequestError)) {
    return encodeErrorReply({ id, code: error.code, message: error.message });
  }
  logger.error(`request handler failed (${what})`, error);
  return encodeSpecialReply(MessageType.InternalErrorReply, id);
}
