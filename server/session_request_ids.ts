/**
 * The ids of a connection's restore-session and close-session requests that are not answered
 * yet, as `pendingRequestKey` keys: such a request is pending (its id may not be reused) until
 * a reply with its id is sent.
 *
 * @example
 * ```ts
 * import { SessionRequestIds } from "./session_request_ids.ts";
 * import { pendingRequestKey } from "./pending_request_key.ts";
 * import { encodeReply, encodeRestoreSession, requestIdFromNumber } from "@webwire/webwire/protocol";
 * const ids = new SessionRequestIds();
 * const restore = encodeRestoreSession(requestIdFromNumber(7), "k");
 * ids.add(pendingRequestKey(restore));
 * const reply = encodeReply({ id: requestIdFromNumber(7), payload: "{}" });
 * console.assert(ids.answeredBy(reply) === 7); // and id 7 is free again
 * ```
 * @module
 */

import { MessageType } from "../protocol/message_type.ts";
import { pendingRequestKey } from "./pending_request_key.ts";

/**
 * Session requests not answered yet, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { SessionRequestIds } from "./session_request_ids.ts";
 * const ids = new SessionRequestIds();
 * const request = ids.add(3);
 * console.assert(ids.delete(request) && !ids.delete(request));
 * ```
 */
export class SessionRequestIds {
  /** One entry per request: the same id may come again once answered, while the first runs on. */
  readonly #pending: { readonly key: number | string }[] = [];

  /** A session request with this key came; the returned token stands for it alone. */
  add(key: number | string): object {
    const token = { key };
    this.#pending.push(token);
    return token;
  }

  /** Forgets the request of `token`; whether it was not answered yet. */
  delete(token: object): boolean {
    const at = this.#pending.indexOf(token as { key: number | string });
    if (at === -1) return false;
    this.#pending.splice(at, 1);
    return true;
  }

  /** The key of the session request that the message `bytes` answers, now forgotten, if any. */
  answeredBy(bytes: Uint8Array): number | string | undefined {
    const pending = this.#pending;
    if (pending.length === 0) return undefined;
    const type = bytes[0];
    const reply = type <= MessageType.SessionsDisabledReply || type >= MessageType.ReplyBinary;
    if (!reply || bytes.length < 9) return undefined;
    const key = pendingRequestKey(bytes);
    const at = pending.findIndex((token) => token.key === key);
    if (at === -1) return undefined;
    pending.splice(at, 1);
    return key;
  }
}
