/**
 * The WebWire client: requests with replies, signals both ways and sessions over one
 * WebSocket, kept alive with heartbeats and re-established in the background.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:8080/", { autoconnect: false });
 * console.assert(client.status === "disconnected");
 * ```
 * @module
 */

import { encodeCloseSession, encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { Payload } from "../protocol/payload.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { parseSessionJson } from "../protocol/session_json.ts";
import type { Session } from "../protocol/session_json.ts";
import { ClientRequests } from "./client_requests.ts";
import { ClientSession } from "./client_session.ts";
import type { ClientStatus } from "./client_status.ts";
import { closedError, ConnectionKeeper } from "./connection_keeper.ts";
import { DisconnectedError, SessionActiveError } from "./errors.ts";
import { type EmitClientEvent, queuedEmitter } from "./event_queue.ts";
import { type ClientEventListener, type ClientEventMap, emitClientEvent } from "./events.ts";
import type { AddListenerOptions, EventListenerLike, ListenerOptions } from "./listener_types.ts";
import {
  type ClientOptions,
  type RequestOptions,
  resolveClientOptions,
  type SignalOptions,
} from "./options.ts";
import { type MessageReceiver, receiveMessage } from "./receive_message.ts";
import { webSocketUrl } from "./websocket_url.ts";

export type { ClientEventListener } from "./events.ts";
export type { AddListenerOptions, EventListenerLike, ListenerOptions } from "./listener_types.ts";
export type { ClientStatus } from "./client_status.ts";

/**
 * A WebWire v2 client. Portable: it needs only the standard `WebSocket` (or one passed in),
 * timers, `AbortSignal` and `EventTarget`.
 *
 * Events (`signal`, `sessioncreated`, `sessionclosed`, `connecting`, `connectfailed`,
 * `connected`, `disconnected`) can be followed with typed `addEventListener` or with the
 * `on…` callbacks of the options. For every connection `connected` comes first, then that
 * connection's signals and session events in arrival order (also those the server sent while
 * the client restored its session), and `disconnected` after the last of them.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { DisconnectedError } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * client.addEventListener("signal", (event) => console.log(event.detail.payload.text()));
 * try {
 *   client.signal("hello");
 * } catch (error) {
 *   console.assert(error instanceof DisconnectedError);
 * }
 * await client.close();
 * console.assert(client.status === "closed");
 * ```
 */
export class Client extends EventTarget {
  /** The server URL (`ws:` or `wss:`); with `dialUrl`, the one it is given. */
  readonly url: string;

  readonly #autoconnect: boolean;
  readonly #emit: EmitClientEvent;
  readonly #keeper: ConnectionKeeper;
  readonly #requests: ClientRequests;
  readonly #session: ClientSession;
  #closing: Promise<void> | null = null;

  /**
   * Creates a client for `url`; nothing happens until `connect()` or the first request.
   *
   * `url` is checked as the WebSocket constructor checks it: `ws:` or `wss:`, or `http:` and
   * `https:`, which stand for them (`client.url` then has `ws:` or `wss:`); in a page, a relative
   * URL is resolved against the page's base URL (`document.baseURI`, `<base href>`). A
   * `ws+unix:` or `wss+unix:` URL (a Unix domain socket) is kept as given, for a `WebSocket` that
   * takes it (Node's `ws` package, Bun's).
   *
   * @throws {SyntaxError} for a bad `url`: not a URL, another scheme (`localhost:8080` has the
   * scheme `localhost:`; write `ws://localhost:8080/`), or a fragment (`#…`).
   * @throws {TypeError} when there is no global `WebSocket` and none is given.
   * @throws {RangeError} for a bad `reconnect` option (a negative or `NaN` delay), or a
   * `requestTimeout` or `dialTimeout` that is not a number above 0.
   */
  constructor(url: string | URL, options: ClientOptions = {}) {
    super();
    this.url = webSocketUrl(url);
    const resolved = resolveClientOptions(options);
    this.#autoconnect = resolved.autoconnect;
    const { logger } = resolved;
    // One event at a time: what a listener causes (close() from a `connected` listener, say)
    // follows the event it listens to, so every listener hears the events in the same order.
    const emit = queuedEmitter((type, detail) =>
      emitClientEvent(this, options, logger, type, detail)
    );
    this.#emit = emit;
    // The keeper's callbacks run only once it connects, when `requests` and `receiver` exist.
    const keeper = new ConnectionKeeper(this.url, resolved, {
      emit,
      received: (message) => receiveMessage(message, receiver),
      prepare: (connection) => this.#session.restoreOn(connection),
      unreachable: () => this.#session.unreachable(),
      connected: (connection) => requests.sendQueued(connection),
      gaveUp: (error) => requests.rejectQueued(error),
      lost: (error) => requests.pending.rejectSent(error),
      waitingSince: (): number | undefined => requests.pending.sentSince,
    });
    const requests = new ClientRequests(resolved, keeper);
    const receiver: MessageReceiver = {
      pending: requests.pending,
      logger,
      ignoredReplies: new PowersOfTenLog(),
      lateReplies: new PowersOfTenLog(),
      ignoredMessages: new Map(),
      signal: (signal) => keeper.announce("signal", signal),
      sessionCreated: (json) => this.#session.received(json),
      sessionClosed: () => this.#session.lose(),
    };
    this.#keeper = keeper;
    this.#requests = requests;
    this.#session = new ClientSession({
      storage: options.sessionStorage,
      logger,
      requestTimeout: resolved.requestTimeout,
      get closed() {
        return keeper.status === "closed";
      },
      restore: (connection, key, onReply) =>
        requests.controlFirst(connection, (id) => encodeRestoreSession(id, key), onReply),
      created: (session) => keeper.announce("sessioncreated", session),
      closedSession: () => keeper.announce("sessionclosed", undefined),
    });
  }

  /**
   * The connection state. `connected` ends as soon as the connection closes (the server's close
   * frame has come), before `disconnected` fires and before a request fails for the lost
   * connection: such a request's `catch`, and the `disconnected` listeners, never read
   * `connected`.
   */
  get status(): ClientStatus {
    return this.#keeper.reportedStatus;
  }

  /** The current session, or `null`. */
  get session(): Session | null {
    return this.#session.current;
  }

  /** How many requests await a reply (sent, or waiting for a connection). */
  get pendingRequests(): number {
    return this.#requests.pending.size;
  }

  /**
   * Makes one connect attempt (or joins the one under way, or starts a scheduled retry now),
   * restoring the session if the client has one, and settles with that attempt's outcome.
   * Resolves at once when connected.
   *
   * Under `autoconnect` (the default) a rejection does not end anything: the client goes on
   * retrying in the background with growing, jittered delays, `status` stays `connecting`,
   * every attempt fires `connecting` and every failure `connectfailed` (with the delay until
   * the next one), and `connected` fires once one succeeds. Only a handshake error (version
   * or sub-protocol mismatch, malformed accept-conf), an error the WebSocket constructor throws,
   * `shouldRetry` returning `false`, or `close()` stops the retries (a later `connect()` dials
   * again); a malformed message after the handshake (during the session restore) drops that
   * connection only. To wait for the connection whatever it takes, wait for `connected`.
   * Without `autoconnect`, a rejection leaves the client `disconnected`.
   *
   * Rejects with `ConnectionFailedError` (refused, HTTP status, DNS, TLS: as far as the runtime
   * tells), `DialTimeoutError`, `DisconnectedError` (closed meanwhile: by the client, or by the
   * server after the handshake, then with its `code`, `reason` and `cause`; or `dialUrl` failed),
   * `IncompatibleProtocolVersionError`, `SubProtocolMismatchError`, `ProtocolError` or the
   * error the WebSocket constructor threw (a `SyntaxError`, say); with a session to restore,
   * also with `TimeoutError` (the restore waits at most twice the server's read timeout, even
   * with `requestTimeout: Infinity`), `InternalError`, `ShutdownError` or
   * `MaxSessionConnectionsError` when the server did not take its restore (the session is kept
   * for the next attempts, for up to twice the server's read timeout).
   *
   * @example
   * ```ts
   * import { Client } from "./client.ts";
   * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
   * client.addEventListener("connectfailed", (event) => {
   *   const { attempt, error, retryDelay } = event.detail;
   *   console.log(`attempt ${attempt} failed (${error.message}); next in ${retryDelay} ms`);
   * });
   * const error = await client.connect().catch((e: Error) => e);
   * console.assert(error instanceof Error && client.status === "disconnected");
   * ```
   */
  connect(): Promise<void> {
    return this.#keeper.connect();
  }

  /**
   * Sends a request and resolves with the reply's payload (bytes as a view, in the encoding
   * the server chose, with `text()` and `json()`).
   *
   * Made while not connected, it waits for the connection (under `autoconnect`) and rejects
   * with a `NotSentError` (a `TimeoutError`) if none came within its timeout; with
   * `waitForConnection: false` it rejects at once with a `DisconnectedError` instead.
   *
   * Rejects with `RequestError` (the handler failed with a code), `InternalError`,
   * `ShutdownError`, `TimeoutError`, `NotSentError`, `CanceledError`, `DisconnectedError`,
   * `MessageTooLargeError`, a `ProtocolError` (the server sent something malformed), a
   * `RangeError` (bad name, neither name nor payload) or a `TypeError` (a payload that is neither
   * a string nor a `Uint8Array`, or a name that is no string: from JavaScript, or an `any`).
   * A request that waits for a connection whose attempt fails with no retry to follow (any
   * failure without `autoconnect`; a handshake error, or one `shouldRetry` refuses, with it)
   * rejects with that attempt's error: `ConnectionFailedError`, `DialTimeoutError`,
   * `DisconnectedError`, `IncompatibleProtocolVersionError`,
   * `SubProtocolMismatchError`, a `ProtocolError`, or what the WebSocket constructor threw.
   */
  request(
    name: string,
    payload?: Uint8Array | string,
    options: RequestOptions = noOptions,
  ): Promise<Payload> {
    return this.#requests.request(name, payload, options);
  }

  /**
   * Sends a signal (no reply).
   *
   * @example
   * ```ts
   * import { Client } from "./client.ts";
   * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
   * // Checked before the connection: a UTF-16 signal needs a payload, even with a name.
   * const error = (() => {
   *   try {
   *     client.signal("typing", "", { encoding: "utf16" });
   *   } catch (error) {
   *     return error;
   *   }
   * })();
   * console.assert(error instanceof RangeError);
   * await client.close();
   * ```
   *
   * @throws {DisconnectedError} when not connected.
   * @throws {MessageTooLargeError} when larger than the server's message buffer.
   * @throws {RangeError} for a bad name, neither name nor payload, or an empty payload with
   * `encoding: "utf16"` (a UTF-16 signal needs at least one code unit, as the reference parser
   * requires, even with a name; send it as `utf8` instead).
   * @throws {TypeError} for a payload that is neither a string nor a `Uint8Array` (an object: send
   * `JSON.stringify(value)`), or a name that is no string.
   */
  signal(name: string, payload?: Uint8Array | string, options: SignalOptions = {}): void {
    const bytes = encodeSignal({ name, payload, encoding: options.encoding });
    const { status, connection } = this.#keeper;
    if (status !== "connected" || connection === null) {
      throw status === "closed" ? closedError() : new DisconnectedError();
    }
    connection.send(bytes);
  }

  /**
   * Restores the session with `key` on this connection (and on every reconnect after it).
   * Fires `sessioncreated` on success.
   *
   * Rejects with `SessionActiveError` when the client has a session when called; a session a
   * handler creates while the restore is on its way is replaced by the restored one, as on the
   * server (`sessionclosed`, then `sessioncreated`). Rejects with `SessionNotFoundError`,
   * `MaxSessionConnectionsError`, `SessionsDisabledError`, or any error of `request`.
   *
   * A reply that holds no session JSON (or one whose key is not printable ASCII, which a
   * restore-session message could not carry) rejects with a `ProtocolError`, and the client closes
   * the connection as for any malformed server message (the server, which attached the
   * session, then lets it go; `disconnected` fires and, under `autoconnect`, the client
   * reconnects without a session).
   */
  async restoreSession(key: string, options: RequestOptions = {}): Promise<void> {
    if (this.#session.current !== null) throw new SessionActiveError();
    // Taken as the reply arrives: the signals to the session that follow it find it.
    const taken = (reply: Payload) => {
      let restored: Session;
      try {
        restored = parseSessionJson(reply.bytes);
      } catch (error) {
        // The server counts this connection as holding a session the client cannot read: it
        // goes, as for any malformed server message, and takes the server's hold with it.
        const why = error instanceof Error ? error.message : String(error);
        const malformed = new ProtocolError("bad-session", `malformed restore reply: ${why}`);
        this.#keeper.connection?.close(malformed);
        throw malformed;
      }
      // A handler created a session while the restore was on its way: the server answered the
      // restore after it, so it now holds the restored session (the other one was detached),
      // and so does the client.
      if (this.#session.current !== null) this.#session.lose();
      this.#session.gain(restored);
    };
    await this.#requests.control((id) => encodeRestoreSession(id, key), options, taken);
  }

  /**
   * Closes the session: asks the server to detach this connection from it, then forgets it
   * and fires `sessionclosed`. Without a session it does nothing; without a connection (and
   * without autoconnect), or once the client is closed, it only forgets the session locally
   * (the session storage too).
   */
  async closeSession(options: RequestOptions = {}): Promise<void> {
    if (this.#session.current === null) return;
    const status = this.#keeper.status;
    const online = status === "connected" || status === "connecting" || this.#autoconnect;
    if (online && this.#closing === null) {
      // Lost as the reply arrives, in order with the server's other session messages: a
      // session created right after it (read in the same tick, as with `ws`) stays.
      await this.#requests.control(encodeCloseSession, options, () => this.#session.lose());
    } else {
      this.#session.lose();
    }
  }

  /**
   * Closes the client for good: stops reconnecting, rejects pending requests with
   * `DisconnectedError`, closes the connection (or aborts the dial under way) and resolves
   * once its socket is closed (after 2 s at most, should the socket never report it).
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const wasConnected = this.#keeper.status === "connected";
    const error = closedError();
    const socketClosed = this.#keeper.close(error);
    this.#requests.pending.rejectAll(error);
    if (wasConnected) {
      this.#keeper.releaseHeld(); // closed by a listener of a held event: the rest come first
      this.#emit("disconnected", error);
    }
    this.#closing = socketClosed === null ? Promise.resolve() : settleWithin(socketClosed, 2000);
    return this.#closing;
  }

  /** Listens to a client event; `event.detail` is typed by the event name. */
  override addEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ClientEventListener<K> | null,
    options?: boolean | AddListenerOptions,
  ): void;
  /** Listens to any event. */
  override addEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: boolean | AddListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: boolean | AddListenerOptions,
  ): void {
    // Node's types leave out the `null` the DOM's allow; it is passed on all the same.
    super.addEventListener(type, listener as EventListenerLike, options);
  }

  /** Stops listening to a client event. */
  override removeEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ClientEventListener<K> | null,
    options?: boolean | ListenerOptions,
  ): void;
  /** Stops listening to any event. */
  override removeEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: boolean | ListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: boolean | ListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerLike, options);
  }
}

/** The options of a request made without any: shared, never changed. */
const noOptions: RequestOptions = Object.freeze({});

function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
