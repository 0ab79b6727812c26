/**
 * Calling the application's request and signal handlers for one connection: building the
 * incoming request or signal, waiting for a handler that returns a promise (and only then), and
 * turning what it returned or threw into the reply. Internal to the server core.
 *
 * @example
 * ```ts
 * import { callRequestHandler, type HandlerSite } from "./handler_calls.ts";
 * import { decodeMessage, decodeText, encodeReply, encodeRequest } from "@webwire/webwire/protocol";
 * import type { RequestMessage } from "@webwire/webwire/protocol";
 * import type { Connection } from "@webwire/webwire/server";
 * const replies: Uint8Array[] = [];
 * const site: HandlerSite = {
 *   hooks: { onRequest: (request) => `hello ${request.payload.text()}` },
 *   connection: {} as Connection, logger: console, isOpen: true, encodeReply,
 *   answer: (_key, reply) => void replies.push(reply), signalDone() {},
 * };
 * const bytes = encodeRequest({ id: new Uint8Array(8), name: "greet", payload: "ada" });
 * const request = decodeMessage(bytes) as RequestMessage;
 * callRequestHandler(site, request, 1, new AbortController().signal);
 * const reply = decodeMessage(replies[0]); // at once: the handler answered synchronously
 * const text = reply.kind === "reply" ? decodeText(reply.payload, reply.encoding) : reply.kind;
 * console.assert(text === "hello ada");
 * ```
 * @module
 */

import { encodeReplyInScratch } from "../protocol/encode_in_scratch.ts";
import { encodeReply, type ReplyFields } from "../protocol/encode_payload_message.ts";
import { type Logger, silentLogger } from "../protocol/logger.ts";
import type { RequestMessage, SignalMessage } from "../protocol/message.ts";
import { Payload } from "../protocol/payload.ts";
import { encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { Connection } from "./connection.ts";
import { echoReply } from "./echo_reply.ts";
import { ConnectionInactiveError } from "./errors.ts";
import type { ReplyValue } from "./incoming.ts";
import type { ServerOptions } from "./options.ts";
import { isInstance } from "./is_instance.ts";
import { failureReply, replyFor } from "./reply_bytes.ts";

/**
 * What a handler call needs of its connection.
 *
 * @example
 * ```ts
 * import { callRequestHandler, type HandlerSite } from "./handler_calls.ts";
 * import { decodeMessage, encodeReply, encodeRequest } from "@webwire/webwire/protocol";
 * import type { RequestMessage } from "@webwire/webwire/protocol";
 * import type { Connection } from "@webwire/webwire/server";
 * const answered = Promise.withResolvers<[number | string, Uint8Array]>();
 * const site: HandlerSite = {
 *   hooks: { onRequest: async (request) => request.payload }, // an asynchronous handler
 *   connection: {} as Connection, logger: console, isOpen: true, encodeReply,
 *   answer: (key, reply) => answered.resolve([key, reply]), signalDone() {},
 * };
 * const bytes = encodeRequest({ id: new Uint8Array(8), name: "echo", payload: "hi" });
 * const request = decodeMessage(bytes) as RequestMessage;
 * callRequestHandler(site, request, "7", new AbortController().signal);
 * const [key, reply] = await answered.promise;
 * console.assert(key === "7" && decodeMessage(reply).kind === "reply");
 * ```
 */
export interface HandlerSite {
  /** The server's hooks. */
  readonly hooks: ServerOptions;
  /** The facade handlers see. */
  readonly connection: Connection;
  /** Where handler failures are logged. */
  readonly logger: Logger;
  /** Whether the connection is still open (a failure after it ended is no handler bug). */
  readonly isOpen: boolean;
  /** Writes a reply for this connection's socket (`encodeReply` or its scratch variant). */
  readonly encodeReply: (fields: ReplyFields) => Uint8Array;
  /**
   * Whether a reply that carries the request's own payload may be written over the request's
   * bytes (`echo_reply.ts`): for sockets that copy what they send. Default `false`.
   */
  readonly echoInPlace?: boolean;
  /** Sends the reply to the request pending under `key`. */
  answer(key: number | string, reply: Uint8Array): void;
  /** A signal handler has finished. */
  signalDone(): void;
}

/**
 * What {@link handlerSite} makes a connection's {@link HandlerSite} of.
 *
 * @example
 * ```ts
 * import type { HandlerSiteParts } from "./handler_calls.ts";
 * const copies = (parts: HandlerSiteParts): boolean => parts.copiesOnSend;
 * console.assert(typeof copies === "function");
 * ```
 */
export interface HandlerSiteParts {
  /** The server's hooks. */
  readonly hooks: ServerOptions;
  /** The facade handlers see. */
  readonly connection: Connection;
  /** Where handler failures are logged. */
  readonly logger: Logger;
  /** Whether the connection's socket copies what it sends (`TransportSocket.copiesOnSend`). */
  readonly copiesOnSend: boolean;
  /** Whether the connection is still open. */
  isOpen(): boolean;
  /** Sends the reply to the request pending under `key`. */
  answer(key: number | string, reply: Uint8Array): void;
  /** A signal handler has finished. */
  signalDone(): void;
}

/**
 * The {@link HandlerSite} of one connection: on a socket that copies what it sends, replies are
 * encoded into one reused buffer and echoes written over the request's bytes.
 *
 * @example
 * ```ts
 * import { handlerSite } from "./handler_calls.ts";
 * import type { Connection } from "@webwire/webwire/server";
 * const site = handlerSite({
 *   hooks: {}, connection: {} as Connection, logger: console, copiesOnSend: true,
 *   isOpen: () => true, answer() {}, signalDone() {},
 * });
 * console.assert(site.echoInPlace === true && site.isOpen);
 * ```
 */
export function handlerSite(parts: HandlerSiteParts): HandlerSite {
  const { isOpen, copiesOnSend } = parts;
  return {
    hooks: parts.hooks,
    connection: parts.connection,
    logger: parts.logger,
    get isOpen() {
      return isOpen();
    },
    encodeReply: copiesOnSend ? encodeReplyInScratch : encodeReply,
    echoInPlace: copiesOnSend,
    answer: parts.answer,
    signalDone: parts.signalDone,
  };
}

/**
 * Runs the request handler and hands the reply to `site.answer` with the request's `key`:
 * synchronously when the handler answers synchronously (no promise is made on the hot path
 * unless the handler returns one), else when its promise settles. Anything thrown becomes an
 * error or internal-error reply.
 *
 * @example
 * ```ts
 * import { callRequestHandler, type HandlerSite } from "./handler_calls.ts";
 * import { decodeMessage, encodeReply, encodeRequest, RequestError } from "@webwire/webwire/protocol";
 * import type { RequestMessage } from "@webwire/webwire/protocol";
 * import type { Connection } from "@webwire/webwire/server";
 * const replies: Uint8Array[] = [];
 * const site: HandlerSite = {
 *   hooks: { onRequest: () => { throw new RequestError("DENIED", "not allowed"); } },
 *   connection: {} as Connection, logger: console, isOpen: true, encodeReply,
 *   answer: (_key, reply) => void replies.push(reply), signalDone() {},
 * };
 * const bytes = encodeRequest({ id: new Uint8Array(8), name: "delete" });
 * const request = decodeMessage(bytes) as RequestMessage;
 * callRequestHandler(site, request, 1, new AbortController().signal);
 * const reply = decodeMessage(replies[0]);
 * console.assert(reply.kind === "error-reply" && reply.codeText === "DENIED");
 * ```
 */
export function callRequestHandler(
  site: HandlerSite,
  message: RequestMessage,
  key: number | string,
  signal: AbortSignal,
): void {
  const onRequest = site.hooks.onRequest;
  if (onRequest === undefined) return site.answer(key, unhandled(site, message));
  const payload = new Payload(message.payload, message.encoding);
  let value: ReplyValue | Promise<ReplyValue>;
  try {
    value = onRequest({
      name: message.nameText,
      payload,
      connection: site.connection,
      signal,
    });
    if (isThenable(value)) return answerWhenSettled(site, message, key, payload, value);
  } catch (error) {
    return site.answer(key, failure(site, message, error));
  }
  site.answer(key, reply(site, message, payload, value));
}

/**
 * Answers once `value`, what the handler returned, settles: once, whatever a thenable does
 * (calls back twice, then throws). Apart from {@link callRequestHandler} so that a handler
 * that answers at once costs no closure.
 */
function answerWhenSettled(
  site: HandlerSite,
  message: RequestMessage,
  key: number | string,
  payload: Payload,
  value: PromiseLike<ReplyValue>,
): void {
  let answered = false;
  try {
    value.then((resolved) => {
      if (answered) return;
      answered = true;
      site.answer(key, reply(site, message, payload, resolved));
    }, (error) => {
      if (answered) return;
      answered = true;
      site.answer(key, failure(site, message, error));
    });
  } catch (error) {
    if (answered) return;
    answered = true;
    site.answer(key, failure(site, message, error));
  }
}

/**
 * The reply for what the handler of `message` returned; `payload` is what the handler was
 * given. The payload handed back as it came, or its bytes, is answered over the request's own
 * bytes where the socket allows it.
 */
function reply(
  site: HandlerSite,
  message: RequestMessage,
  payload: Payload,
  value: ReplyValue,
): Uint8Array {
  if (site.echoInPlace === true) {
    if (value === payload) return echoReply(message, payload.encoding);
    if (value === payload.bytes) return echoReply(message, "binary");
  }
  return replyFor(message.bytes, value, site.logger, site.encodeReply, message.nameText);
}

/**
 * Runs the signal handler and calls `site.signalDone` when it has finished (at once when it is
 * synchronous); a failure is logged, unless it says no more than that the connection ended.
 *
 * @example
 * ```ts
 * import { callSignalHandler, type HandlerSite } from "./handler_calls.ts";
 * import { decodeMessage, encodeReply, encodeSignal } from "@webwire/webwire/protocol";
 * import type { SignalMessage } from "@webwire/webwire/protocol";
 * import type { Connection } from "@webwire/webwire/server";
 * const events: string[] = [];
 * const site: HandlerSite = {
 *   hooks: { onSignal: (signal) => void events.push(`${signal.name} ${signal.payload.text()}`) },
 *   connection: {} as Connection, logger: console, isOpen: true, encodeReply,
 *   answer() {}, signalDone: () => void events.push("done"),
 * };
 * const bytes = encodeSignal({ name: "typing", payload: "ada" });
 * callSignalHandler(site, decodeMessage(bytes) as SignalMessage);
 * console.assert(events.join() === "typing ada,done");
 * ```
 */
export function callSignalHandler(site: HandlerSite, message: SignalMessage): void {
  const onSignal = site.hooks.onSignal;
  if (!site.isOpen || onSignal === undefined) return site.signalDone();
  let result: void | Promise<void>;
  try {
    result = onSignal({
      name: message.nameText,
      payload: new Payload(message.payload, message.encoding),
      connection: site.connection,
    });
  } catch (error) {
    signalFailed(site, message, error);
    return site.signalDone();
  }
  if (!isThenable(result)) return site.signalDone();
  result.then(() => site.signalDone(), (error) => {
    signalFailed(site, message, error);
    site.signalDone();
  });
}

/** Requests to a server without `onRequest`, per server (its hooks): any client can send them. */
const unhandledCounts = new WeakMap<ServerOptions, PowersOfTenLog>();

/** The internal-error reply to a request that no hook handles, logged at the 1st, 10th, ... */
function unhandled(site: HandlerSite, message: RequestMessage): Uint8Array {
  let count = unhandledCounts.get(site.hooks);
  if (count === undefined) unhandledCounts.set(site.hooks, count = new PowersOfTenLog());
  if (count.tally()) {
    site.logger.error(
      `request "${message.nameText}" to a server without an onRequest hook, answered with an ` +
        `internal error (${count.count} so far)`,
    );
  }
  return encodeSpecialReply(MessageType.InternalErrorReply, message.id);
}

function failure(site: HandlerSite, message: RequestMessage, error: unknown): Uint8Array {
  // Failing only because this connection went away is no handler bug: nothing to log.
  const logger = leftAlready(site, error) ? silentLogger : site.logger;
  return failureReply(message.id, error, logger, `request "${message.nameText}"`);
}

function signalFailed(site: HandlerSite, message: SignalMessage, error: unknown): void {
  if (leftAlready(site, error)) return;
  site.logger.error(`signal handler failed (signal "${message.nameText}")`, error);
}

/** Whether `error` says no more than that the connection has ended. */
function leftAlready(site: HandlerSite, error: unknown): boolean {
  return !site.isOpen && isInstance(error, ConnectionInactiveError);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}
