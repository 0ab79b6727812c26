/**
 * The reply to a request whose handler answered with the request's own payload (an echo, or a
 * relay that hands back what it got), written over the request's bytes instead of copied into
 * new ones: a request is `type, id[8], n, name[n], (pad,) payload` and its reply
 * `type, id[8], (pad,) payload`, so the reply's header fits in front of the payload where the
 * request's name was, and the payload stays where it is. Only the bytes before the payload
 * change: a handler that keeps the payload still reads what the client sent. For sockets that
 * copy the bytes when they send (`copiesOnSend`), where the reply would otherwise be copied
 * into the scratch buffer first: for a 4 KiB echo on Deno that copy was a fifth of what the
 * core adds to the raw echo's time per reply. Internal to the server core.
 *
 * @example
 * ```ts
 * import { echoReply } from "./echo_reply.ts";
 * import { decodeMessage, encodeRequest, requestIdFromNumber } from "@webwire/webwire/protocol";
 * import type { RequestMessage } from "@webwire/webwire/protocol";
 * const request = decodeMessage(
 *   encodeRequest({ id: requestIdFromNumber(7), name: "echo", payload: "hi" }),
 * ) as RequestMessage;
 * const reply = decodeMessage(echoReply(request, request.encoding));
 * if (reply.kind !== "reply") throw new Error(reply.kind);
 * console.assert(reply.encoding === "utf8" && reply.payload.length === 2 && reply.id[0] === 7);
 * ```
 * @module
 */

import type { RequestMessage } from "../protocol/message.ts";
import { MessageType, type PayloadEncoding, typeForEncoding } from "../protocol/message_type.ts";

/**
 * Writes the reply that carries `request`'s payload in `encoding` (the request's own, or
 * `binary` for a handler that returned the payload's bytes) over `request`'s bytes, and returns
 * the view of them that is the reply. A UTF-16 reply needs its pad byte, so its payload must
 * start 10 bytes in at least, which every UTF-16 request's does; every other's starts 10 or more
 * bytes in, with a 9-byte header.
 *
 * @example
 * ```ts
 * import { echoReply } from "./echo_reply.ts";
 * import { decodeMessage, encodeRequest, requestIdFromNumber } from "@webwire/webwire/protocol";
 * import type { RequestMessage } from "@webwire/webwire/protocol";
 * const id = requestIdFromNumber(1);
 * const bytes = encodeRequest({ id, name: "", payload: "ab", encoding: "utf16" });
 * const request = decodeMessage(bytes) as RequestMessage;
 * const reply = echoReply(request, "binary"); // the handler returned request.payload.bytes
 * console.assert(reply[0] === 191 && reply.length === 9 + 4 && reply.buffer === bytes.buffer);
 * ```
 */
export function echoReply(request: RequestMessage, encoding: PayloadEncoding): Uint8Array {
  const bytes = request.bytes;
  const payloadAt = request.payloadOffset;
  const utf16 = encoding === "utf16";
  const start = payloadAt - (utf16 ? 10 : 9);
  // The id moves forward by `start` bytes (0 to 257), possibly over itself: copied from its
  // last byte back, no byte is read after it was written. The type byte comes last, as it may
  // land on the old id. (A loop: for 8 bytes, `copyWithin`'s call costs more than the copy.)
  for (let i = 8; i >= 1; i--) bytes[start + i] = bytes[i];
  if (utf16) bytes[start + 9] = 0;
  bytes[start] = typeForEncoding(MessageType.ReplyBinary, encoding);
  return bytes.subarray(start);
}
