/**
 * What a message from the server means to the client: a reply settles its request, a signal
 * and the session messages go to the client's handlers, anything else is logged and ignored.
 * Internal to the client.
 *
 * @example
 * ```ts
 * import { receiveMessage } from "./receive_message.ts";
 * import { PendingRequests } from "./pending_requests.ts";
 * import { decodeMessage, encodeReply, requestIdFromNumber } from "@webwire/webwire";
 *
 * const pending = new PendingRequests();
 * const reply = pending.add(7, new Uint8Array(0), { timeout: Infinity }, true); // sent as id 7
 * const ignore = () => {};
 * const receiver = {
 *   pending,
 *   logger: console,
 *   signal: ignore,
 *   sessionCreated: ignore,
 *   sessionClosed: ignore,
 * };
 * const bytes = encodeReply({ id: requestIdFromNumber(7), payload: "done" }); // from the server
 * receiveMessage(decodeMessage(bytes), receiver);
 * console.assert((await reply).text() === "done");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Message } from "../protocol/message.ts";
import { Payload } from "../protocol/payload.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { requestIdKey } from "../protocol/request_id.ts";
import type { ServerSignal } from "./events.ts";
import type { PendingRequests } from "./pending_requests.ts";
import { replyOutcome } from "./reply_outcome.ts";

/**
 * Where the client takes the messages of its connection.
 *
 * @example
 * ```ts
 * import { type MessageReceiver, receiveMessage } from "./receive_message.ts";
 * import { PendingRequests } from "./pending_requests.ts";
 * import {
 *   decodeMessage,
 *   encodeReply,
 *   encodeSessionClosed,
 *   requestIdFromNumber,
 * } from "@webwire/webwire";
 *
 * const events: string[] = [];
 * const receiver: MessageReceiver = {
 *   pending: new PendingRequests(),
 *   logger: { warn: (message) => events.push(message), error: console.error },
 *   signal: (signal) => events.push(`signal ${signal.name}`),
 *   sessionCreated: () => events.push("session created"),
 *   sessionClosed: () => events.push("session closed"),
 * };
 * receiveMessage(decodeMessage(encodeSessionClosed()), receiver);
 * receiveMessage(decodeMessage(encodeReply({ id: requestIdFromNumber(9) })), receiver); // no such
 * console.assert(events[0] === "session closed");
 * console.assert(events[1] === "webwire client: ignored a reply to unknown request 9");
 * ```
 */
export interface MessageReceiver {
  /** The requests awaiting replies. */
  readonly pending: PendingRequests;
  /** Where ignored messages are reported. */
  readonly logger: Logger;
  /**
   * Counts the replies to unknown requests, so that only the 1st, 10th, 100th, ... is logged
   * (a broken server could send them without end); without it, each one is.
   */
  readonly ignoredReplies?: PowersOfTenLog;
  /**
   * Counts the replies to requests that timed out or were canceled, logged as
   * {@link MessageReceiver.ignoredReplies} are, as late replies: not the server's mistake.
   */
  readonly lateReplies?: PowersOfTenLog;
  /**
   * Counts the well-formed messages that a client does not expect (a heartbeat, a request or a
   * second accept-conf from the server), one count per kind, logged as
   * {@link MessageReceiver.ignoredReplies} are; without it, each one is.
   */
  readonly ignoredMessages?: Map<string, PowersOfTenLog>;
  /** The server sent a signal. */
  signal(signal: ServerSignal): void;
  /** The server created a session (its JSON, not parsed yet). */
  sessionCreated(json: Uint8Array): void;
  /** The server closed the session. */
  sessionClosed(): void;
}

/**
 * Routes one decoded message from the server to `receiver`.
 *
 * @example
 * ```ts
 * import { receiveMessage } from "./receive_message.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * import { encodeSignal } from "@webwire/webwire/protocol";
 * import { PendingRequests } from "./pending_requests.ts";
 * const names: string[] = [];
 * receiveMessage(decodeMessage(encodeSignal({ name: "tick", payload: "1" })), {
 *   pending: new PendingRequests(),
 *   logger: console,
 *   signal: (signal) => names.push(`${signal.name} ${signal.payload.text()}`),
 *   sessionCreated: () => {},
 *   sessionClosed: () => {},
 * });
 * console.assert(names.join() === "tick 1");
 * ```
 */
export function receiveMessage(message: Message, receiver: MessageReceiver): void {
  switch (message.kind) {
    case "reply":
    case "error-reply":
    case "shutdown-reply":
    case "internal-error-reply":
    case "session-not-found-reply":
    case "max-session-connections-reply":
    case "sessions-disabled-reply": {
      const key = requestIdKey(message.bytes, 1);
      if (!receiver.pending.settle(key, replyOutcome(message))) {
        const late = receiver.pending.gaveUp(key);
        const ignored = late ? receiver.lateReplies : receiver.ignoredReplies;
        if (ignored !== undefined && !ignored.tally()) return;
        const count = ignored === undefined || ignored.count === 1
          ? ""
          : ` (${ignored.count} so far)`;
        const what = late
          ? `a late reply to request ${key}, which timed out or was canceled`
          : `a reply to unknown request ${key}`;
        receiver.logger.warn(`webwire client: ignored ${what}${count}`);
      }
      return;
    }
    case "signal":
      receiver.signal({
        name: message.nameText,
        payload: new Payload(message.payload, message.encoding),
      });
      return;
    case "session-created":
      receiver.sessionCreated(message.json);
      return;
    case "session-closed":
      receiver.sessionClosed();
      return;
    default: {
      const counts = receiver.ignoredMessages;
      let ignored = counts?.get(message.kind);
      if (counts !== undefined && ignored === undefined) {
        counts.set(message.kind, ignored = new PowersOfTenLog());
      }
      if (ignored !== undefined && !ignored.tally()) return;
      const count = ignored === undefined || ignored.count === 1
        ? ""
        : ` (${ignored.count} so far)`;
      const article = /^[aeiou]/.test(message.kind) ? "an" : "a";
      receiver.logger.warn(
        `webwire client: ignored ${article} ${message.kind} message from the server${count}`,
      );
    }
  }
}
