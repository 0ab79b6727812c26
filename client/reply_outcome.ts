/**
 * What a reply means for the request it answers: a payload, or the error to reject with.
 *
 * @example
 * ```ts
 * import { replyOutcome } from "./reply_outcome.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * const reply = decodeMessage(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0, 0]));
 * if (reply.kind === "shutdown-reply") console.assert(replyOutcome(reply) instanceof Error);
 * ```
 * @module
 */

import type { ErrorReplyMessage, ReplyMessage, SpecialReplyMessage } from "../protocol/message.ts";
import { Payload } from "../protocol/payload.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { WebwireError } from "../protocol/webwire_error.ts";
import {
  InternalError,
  MaxSessionConnectionsError,
  SessionNotFoundError,
  SessionsDisabledError,
  ShutdownError,
} from "./errors.ts";

/**
 * Any message that answers a request.
 *
 * @example
 * ```ts
 * import type { AnyReply } from "./reply_outcome.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * const m = decodeMessage(new Uint8Array([191, 1, 0, 0, 0, 0, 0, 0, 0]));
 * const reply: AnyReply | null = m.kind === "reply" ? m : null;
 * console.assert(reply !== null);
 * ```
 */
export type AnyReply = ReplyMessage | ErrorReplyMessage | SpecialReplyMessage;

/**
 * The payload of a reply (a view of its bytes, in the encoding the server chose) or the error
 * its type stands for.
 *
 * @example
 * ```ts
 * import { replyOutcome } from "./reply_outcome.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * import { Payload } from "@webwire/webwire/protocol";
 * const reply = decodeMessage(new Uint8Array([192, 1, 0, 0, 0, 0, 0, 0, 0, 0x6f, 0x6b]));
 * if (reply.kind === "reply") {
 *   const outcome = replyOutcome(reply);
 *   console.assert(outcome instanceof Payload && outcome.text() === "ok");
 * }
 * ```
 */
export function replyOutcome(reply: AnyReply): Payload | WebwireError {
  switch (reply.kind) {
    case "reply":
      return new Payload(reply.payload, reply.encoding);
    case "error-reply":
      return receivedRequestError(reply.codeText, reply.messageText);
    case "shutdown-reply":
      return new ShutdownError();
    case "internal-error-reply":
      return new InternalError();
    case "session-not-found-reply":
      return new SessionNotFoundError();
    case "max-session-connections-reply":
      return new MaxSessionConnectionsError();
    case "sessions-disabled-reply":
      return new SessionsDisabledError();
  }
}

/**
 * A `RequestError` for a received code. The constructor refuses codes that we could not send,
 * but the reference readers take any byte, and so must we: throwing here would leave the
 * request pending until its timeout.
 */
function receivedRequestError(code: string, message: string): RequestError {
  try {
    return new RequestError(code, message);
  } catch {
    const error = new RequestError("?", message);
    Object.defineProperty(error, "code", { value: code });
    return error;
  }
}
