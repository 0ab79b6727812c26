/**
 * Encodes any decoded message back into bytes: the inverse of `decodeMessage` for canonical
 * messages (zero padding bytes, nothing after the id of a special reply).
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * import { encodeMessage } from "./encode_message.ts";
 * const bytes = new Uint8Array([64, 1, 0x61, 0x62]);
 * console.assert(encodeMessage(decodeMessage(bytes)).join() === bytes.join());
 * ```
 * @module
 */

import type { Message } from "./message.ts";
import { MessageType } from "./message_type.ts";
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
} from "./encode_control_message.ts";

/**
 * Encodes a message of any kind, such as one returned by `decodeMessage`.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * import { encodeMessage } from "./encode_message.ts";
 * const m = decodeMessage(new Uint8Array([33]));
 * console.assert(encodeMessage(m)[0] === 33);
 * ```
 */
export function encodeMessage(message: Message): Uint8Array {
  switch (message.kind) {
    case "signal":
      return encodeSignal(message);
    case "request":
      return encodeRequest(message);
    case "reply":
      return encodeReply(message);
    case "error-reply":
      return encodeErrorReply({ id: message.id, code: message.code, message: message.message });
    case "shutdown-reply":
      return encodeSpecialReply(MessageType.ShutdownReply, message.id);
    case "internal-error-reply":
      return encodeSpecialReply(MessageType.InternalErrorReply, message.id);
    case "session-not-found-reply":
      return encodeSpecialReply(MessageType.SessionNotFoundReply, message.id);
    case "max-session-connections-reply":
      return encodeSpecialReply(MessageType.MaxSessionConnectionsReply, message.id);
    case "sessions-disabled-reply":
      return encodeSpecialReply(MessageType.SessionsDisabledReply, message.id);
    case "session-created":
      return encodeSessionCreated(message.json);
    case "session-closed":
      return encodeSessionClosed();
    case "accept-conf":
      return encodeAcceptConf(message);
    case "close-session":
      return encodeCloseSession(message.id);
    case "restore-session":
      return encodeRestoreSession(message.id, message.key);
    case "heartbeat":
      return encodeHeartbeat();
  }
}
