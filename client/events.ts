/**
 * The events a {@link Client} dispatches, with typed `detail`s, and the matching callbacks
 * that can be passed in its options instead.
 *
 * @example
 * ```ts
 * import { ClientEvent } from "@webwire/webwire";
 * const event = new ClientEvent("connected", undefined);
 * console.assert(event.type === "connected" && event.detail === undefined);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Payload } from "../protocol/payload.ts";
import type { Session } from "../protocol/session_json.ts";
import type { DisconnectedError } from "./errors.ts";

/**
 * A connect attempt that starts (`connecting` event).
 *
 * @example
 * ```ts
 * import type { ConnectAttempt } from "@webwire/webwire";
 * const first: ConnectAttempt = { attempt: 1 };
 * console.assert(first.attempt === 1);
 * ```
 */
export interface ConnectAttempt {
  /** 1 for the first attempt after a connection (or none); counts up until one succeeds. */
  readonly attempt: number;
}

/**
 * A connect attempt that failed (`connectfailed` event).
 *
 * @example
 * ```ts
 * import type { ConnectFailure } from "@webwire/webwire";
 * const failure: ConnectFailure = { attempt: 2, error: new Error("refused"), retryDelay: 500 };
 * console.assert(failure.retryDelay === 500);
 * ```
 */
export interface ConnectFailure {
  /** The attempt's number (as in its `connecting` event). */
  readonly attempt: number;
  /**
   * Why it failed: a `ConnectionFailedError` (with `kind` and `status`), `DialTimeoutError`,
   * `DisconnectedError` (also when `dialUrl` failed), or a handshake error
   * (`IncompatibleProtocolVersionError`, `SubProtocolMismatchError`, `ProtocolError`), which ends
   * the retries, as `shouldRetry` returning `false` does.
   */
  readonly error: Error;
  /** Milliseconds until the next attempt, or `null` when none follows. */
  readonly retryDelay: number | null;
}

/**
 * A signal the server sent to the client.
 *
 * @example
 * ```ts
 * import type { ServerSignal } from "@webwire/webwire";
 * import { Payload } from "@webwire/webwire/protocol";
 * const signal: ServerSignal = { name: "tick", payload: Payload.from("1") };
 * console.assert(signal.payload.text() === "1");
 * ```
 */
export interface ServerSignal {
  /** The signal name ("" for none). */
  readonly name: string;
  /** The payload in the encoding the server chose (bytes are a view of the message). */
  readonly payload: Payload;
}

/**
 * An event of a {@link Client} with a typed `detail` (portable: no `CustomEvent` needed).
 *
 * @example
 * ```ts
 * import { ClientEvent } from "@webwire/webwire";
 * const event = new ClientEvent("sessionclosed", undefined);
 * console.assert(event instanceof Event);
 * ```
 */
export class ClientEvent<T> extends Event {
  /** What happened: the signal, the session, or the disconnection error. */
  readonly detail: T;
  /** Creates an event of `type` carrying `detail`. */
  constructor(type: string, detail: T) {
    super(type);
    this.detail = detail;
  }
}

/**
 * Event names of a {@link Client} and their event types, for `addEventListener`.
 *
 * - `signal`: the server sent a signal.
 * - `sessioncreated`: the client gained a session (created by the server, or restored with
 *   `restoreSession` or from the session storage).
 * - `sessionclosed`: the client lost its session (closed by the server or by `closeSession`,
 *   or the server refused its restore after a reconnect), or the key in its session storage
 *   could not be restored (the server no longer knows it): the user is signed out. A restore
 *   not answered in time, or answered with the internal-error, shutdown or
 *   max-session-connections reply (the server may not have seen this client's previous
 *   connection close yet), fails the
 *   connect attempt instead and keeps the session (for up to twice the server's read timeout;
 *   then it counts as refused).
 * - `connecting`: a connect attempt starts; `detail.attempt` counts the attempts since the
 *   last connection.
 * - `connectfailed`: an attempt failed; `detail` has its number, the error and the delay
 *   until the next attempt (`null`: no retry follows, the client is `disconnected`).
 * - `connected`: a connection is established (after the automatic session restore:
 *   `client.session` holds its outcome).
 * - `disconnected`: an established connection was lost or closed; `detail` is the error that
 *   its pending requests were rejected with (or that wraps it as `cause`), with the WebSocket
 *   close `code` and `reason` when a close frame was seen.
 *
 * Order, for every connection (the first and each reconnect): `connected` first, then that
 * connection's `signal`, `sessioncreated` and `sessionclosed` events in the order their
 * messages arrived, then `disconnected` after the last of them. What the server sends before
 * `connected` can fire (signals from its `onClientConnected` hook, while the client restores
 * its session) is held and fired right after `connected`, in order, and so is the outcome of
 * the restore itself (`sessioncreated` for a stored session, `sessionclosed` for a refused
 * one), at the place of its reply. A connection lost before `connected` fired takes its held
 * signals with it (it never counted as established); a session change it brought still fires.
 * Replies settle their requests as they arrive. Events fire one at a time: one that a callback or
 * listener causes (it closes the client, say) waits until the event being fired has reached every
 * callback and listener, so all of them hear the events in this order.
 *
 * @example
 * ```ts
 * import type { ClientEventMap } from "@webwire/webwire";
 * const names: (keyof ClientEventMap)[] = ["signal", "connected"];
 * console.assert(names.length === 2);
 * ```
 */
export interface ClientEventMap {
  /** The server sent a signal. */
  signal: ClientEvent<ServerSignal>;
  /** The client gained a session. */
  sessioncreated: ClientEvent<Session>;
  /** The client lost its session. */
  sessionclosed: ClientEvent<undefined>;
  /** A connect attempt starts. */
  connecting: ClientEvent<ConnectAttempt>;
  /** A connect attempt failed. */
  connectfailed: ClientEvent<ConnectFailure>;
  /** A connection is established. */
  connected: ClientEvent<undefined>;
  /** An established connection was lost or closed. */
  disconnected: ClientEvent<DisconnectedError>;
}

/**
 * Callbacks for the client's events, given in its options; each is called before the event
 * of the same name is dispatched, in the order that {@link ClientEventMap} describes:
 * `onConnected` before the signals and session events of its connection (also those the
 * server sends in its `onClientConnected` hook), `onDisconnected` after them. An exception
 * thrown by a callback is logged, not thrown, and so is the rejection of a promise it returns
 * (an `async` callback): the client does not wait for that promise.
 *
 * @example
 * ```ts
 * import { Client, type ClientHooks } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({
 *   onClientConnected: (connection) => connection.signal("welcome", "hi there"),
 * }));
 * let connections = 0;
 * const welcome = Promise.withResolvers<string>();
 * const hooks: ClientHooks = {
 *   onConnected: () => connections++,
 *   onSignal: (signal) => welcome.resolve(`${signal.name}: ${signal.payload.text()}`),
 * };
 * const client = new Client(running.url, { ...hooks, requestTimeout: 5000 });
 * await client.connect();
 * console.assert(connections === 1);
 * console.assert((await welcome.promise) === "welcome: hi there");
 * await client.close();
 * await running.close();
 * ```
 */
export interface ClientHooks {
  /** The server sent a signal; never before `onConnected` of the connection it came on. */
  onSignal?: (signal: ServerSignal) => void;
  /** The client gained a session; one that a connection brought follows its `onConnected`. */
  onSessionCreated?: (session: Session) => void;
  /** The client lost its session; one that a connection brought follows its `onConnected`. */
  onSessionClosed?: () => void;
  /** A connect attempt starts. */
  onConnecting?: (attempt: ConnectAttempt) => void;
  /** A connect attempt failed. */
  onConnectFailed?: (failure: ConnectFailure) => void;
  /** A connection is established: called before any signal or session event it brings. */
  onConnected?: () => void;
  /** An established connection was lost or closed: called after the last event it brought. */
  onDisconnected?: (reason: DisconnectedError) => void;
}

/**
 * A listener of one client event type.
 *
 * @example
 * ```ts
 * import { Client, type ClientEventListener } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({
 *   onRequest: ({ connection }) => { // the signals go out before the reply
 *     for (const price of ["101", "102"]) connection.signal("price", price);
 *     return "subscribed";
 *   },
 * }));
 * const client = new Client(running.url);
 * const prices: string[] = [];
 * const onPrice: ClientEventListener<"signal"> = (e) => prices.push(e.detail.payload.text());
 * client.addEventListener("signal", onPrice);
 * await client.request("subscribe", "ACME");
 * client.removeEventListener("signal", onPrice);
 * console.assert(prices.join() === "101,102");
 * await client.close();
 * await running.close();
 * ```
 */
export type ClientEventListener<K extends keyof ClientEventMap> =
  | ((event: ClientEventMap[K]) => void)
  | { handleEvent(event: ClientEventMap[K]): void };

type EventDetail<K extends keyof ClientEventMap> = ClientEventMap[K]["detail"];

const hookNames: { [K in keyof ClientEventMap]: keyof ClientHooks } = {
  signal: "onSignal",
  sessioncreated: "onSessionCreated",
  sessionclosed: "onSessionClosed",
  connecting: "onConnecting",
  connectfailed: "onConnectFailed",
  connected: "onConnected",
  disconnected: "onDisconnected",
};

/**
 * Calls the callback of event `type` in `hooks` (logging what it throws), then dispatches the
 * event on `target`. Internal to the client.
 *
 * @example
 * ```ts
 * import { emitClientEvent } from "./events.ts";
 * const calls: string[] = [];
 * const target = new EventTarget();
 * target.addEventListener("connected", () => calls.push("event"));
 * emitClientEvent(target, { onConnected: () => calls.push("callback") }, console, "connected", undefined);
 * console.assert(calls.join() === "callback,event");
 * ```
 */
export function emitClientEvent<K extends keyof ClientEventMap>(
  target: EventTarget,
  hooks: ClientHooks,
  logger: Logger,
  type: K,
  detail: EventDetail<K>,
): void {
  const hook = hooks[hookNames[type]] as ((detail: EventDetail<K>) => unknown) | undefined;
  if (hook !== undefined) {
    const failed = (error: unknown) =>
      logger.error(`webwire client: the ${hookNames[type]} callback threw:`, error);
    try {
      const result = hook(detail);
      // An async callback: its rejection is logged like a throw, not left unhandled.
      if (isThenable(result)) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
  target.dispatchEvent(new ClientEvent(type, detail));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
