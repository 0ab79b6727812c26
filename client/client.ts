/**
 * The WebWire client: requests with replies, signals both ways and sessions over one
 * WebSocket, kept alive with heartbeats and re-established in the background.
 *
 * @example
 * ```ts
 * import { Client } from "./client.ts";
 * const client = new Client("ws://127.0.0.1:8080/", { autoconnect: false });
 * console.assert(client.status === "disconnected");
 * ```
 * @module
 */

import { encodeCloseSession, encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { encodeRequest, encodeSignal } from "../protocol/encode_payload_message.ts";
import type { Message } from "../protocol/message.ts";
import { Payload } from "../protocol/payload.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { RequestIdCounter, requestIdKey } from "../protocol/request_id.ts";
import { parseSessionJson } from "../protocol/session_json.ts";
import type { Session } from "../session/session_manager.ts";
import { backoffDelay, type BackoffOptions, defaultBackoff } from "./backoff.ts";
import { Connection } from "./connection.ts";
import {
  DisconnectedError,
  IncompatibleProtocolVersionError,
  SessionActiveError,
  SubProtocolMismatchError,
} from "./errors.ts";
import { ClientEvent, type ClientEventMap, type ClientHooks } from "./events.ts";
import type { ClientOptions, RequestOptions, SignalOptions } from "./options.ts";
import type { Logger } from "../protocol/logger.ts";
import { PendingRequests } from "./pending_requests.ts";
import { replyOutcome } from "./reply_outcome.ts";
import type { SessionStorage } from "./session_storage.ts";
import { timerDelay } from "./timer_delay.ts";
import type { WebSocketConstructor } from "./websocket_like.ts";

/**
 * The state of a client's connection.
 *
 * - `disconnected`: no connection and none being attempted.
 * - `connecting`: dialing, restoring the session, or waiting to retry.
 * - `connected`: requests and signals go out at once.
 * - `closed`: `close()` was called; the client does nothing any more.
 *
 * @example
 * ```ts
 * import type { ClientStatus } from "./client.ts";
 * const isUsable = (status: ClientStatus): boolean => status === "connected";
 * console.assert(!isUsable("connecting"));
 * ```
 */
export type ClientStatus = "disconnected" | "connecting" | "connected" | "closed";

/**
 * A listener of one client event type.
 *
 * @example
 * ```ts
 * import type { ClientEventListener } from "./client.ts";
 * const listener: ClientEventListener<"signal"> = (event) => console.log(event.detail.name);
 * console.assert(typeof listener === "function");
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
  connected: "onConnected",
  disconnected: "onDisconnected",
};

/**
 * A WebWire v2 client. Portable: it needs only the standard `WebSocket` (or one passed in),
 * timers, `AbortSignal` and `EventTarget`.
 *
 * Events (`signal`, `sessioncreated`, `sessionclosed`, `connected`, `disconnected`) can be
 * followed with typed `addEventListener` or with the `on…` callbacks of the options.
 *
 * @example
 * ```ts
 * import { Client } from "./client.ts";
 * import { DisconnectedError } from "./errors.ts";
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
  /** The server URL (`ws:` or `wss:`). */
  readonly url: string;

  readonly #WebSocket: WebSocketConstructor;
  readonly #subProtocol: string;
  readonly #autoconnect: boolean;
  readonly #requestTimeout: number;
  readonly #dialTimeout: number;
  readonly #backoff: BackoffOptions;
  readonly #storage: SessionStorage | undefined;
  readonly #logger: Logger;
  readonly #hooks: ClientHooks;

  readonly #ids = new RequestIdCounter();
  readonly #pending = new PendingRequests();
  #status: ClientStatus = "disconnected";
  #connection: Connection | null = null;
  #attempt: Promise<void> | null = null;
  #dialAbort: AbortController | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failedAttempts = 0;
  #session: Session | null = null;
  #storageRead = false;
  #closing: Promise<void> | null = null;

  /**
   * Creates a client for `url`; nothing happens until `connect()` or the first request.
   *
   * @throws {TypeError} when there is no global `WebSocket` and none is given.
   */
  constructor(url: string | URL, options: ClientOptions = {}) {
    super();
    this.url = String(url);
    const WebSocketImpl = options.WebSocket ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketImpl === undefined) {
      throw new TypeError(
        "this runtime has no global WebSocket; pass one as options.WebSocket (e.g. from the ws package)",
      );
    }
    this.#WebSocket = WebSocketImpl;
    this.#subProtocol = options.subProtocol ?? "";
    this.#autoconnect = options.autoconnect ?? true;
    this.#requestTimeout = options.requestTimeout ?? 60_000;
    this.#dialTimeout = options.dialTimeout ?? 5_000;
    this.#backoff = { ...defaultBackoff, ...options.reconnect };
    this.#storage = options.sessionStorage;
    this.#logger = options.logger ?? console;
    this.#hooks = options;
  }

  /** The connection state. */
  get status(): ClientStatus {
    return this.#status;
  }

  /** The current session, or `null`. */
  get session(): Session | null {
    return this.#session;
  }

  /** How many requests await a reply (sent, or waiting for a connection). */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /**
   * Connects (or waits for the connection attempt under way), restoring the session if the
   * client has one. Resolves at once when connected.
   *
   * With `autoconnect`, a failed attempt is retried in the background (with growing, jittered
   * delays) until a connection is made or `close()` is called; a handshake error (version or
   * sub-protocol mismatch, malformed accept-conf) stops the retries.
   *
   * Rejects with `DialTimeoutError`, `DisconnectedError` (could not connect, or closed),
   * `IncompatibleProtocolVersionError`, `SubProtocolMismatchError` or `ProtocolError`.
   */
  connect(): Promise<void> {
    if (this.#status === "closed") return Promise.reject(this.#closedError());
    if (this.#status === "connected") return Promise.resolve();
    return this.#startAttempt();
  }

  /**
   * Sends a request and resolves with the reply's payload (bytes as a view, in the encoding
   * the server chose, with `text()` and `json()`).
   *
   * Rejects with `RequestError` (the handler failed with a code), `InternalError`,
   * `ShutdownError`, `TimeoutError`, `CanceledError`, `DisconnectedError`,
   * `MessageTooLargeError`, a `ProtocolError` (the server sent something malformed) or a
   * `RangeError` (bad name, neither name nor payload).
   */
  request(
    name: string,
    payload?: Uint8Array | string,
    options: RequestOptions = {},
  ): Promise<Payload> {
    const id = this.#ids.next();
    let bytes: Uint8Array;
    try {
      bytes = encodeRequest({ id, name, payload, encoding: options.encoding });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(requestIdKey(id), bytes, options);
  }

  /**
   * Sends a signal (no reply).
   *
   * @throws {DisconnectedError} when not connected.
   * @throws {MessageTooLargeError} when larger than the server's message buffer.
   * @throws {RangeError} for a bad name, or neither name nor payload.
   */
  signal(name: string, payload?: Uint8Array | string, options: SignalOptions = {}): void {
    const bytes = encodeSignal({ name, payload, encoding: options.encoding });
    if (this.#status !== "connected" || this.#connection === null) {
      throw this.#status === "closed" ? this.#closedError() : new DisconnectedError();
    }
    this.#connection.send(bytes);
  }

  /**
   * Restores the session with `key` on this connection (and on every reconnect after it).
   * Fires `sessioncreated` on success.
   *
   * Rejects with `SessionActiveError` when the client has a session, `SessionNotFoundError`,
   * `MaxSessionConnectionsError`, `SessionsDisabledError`, or any error of `request`.
   */
  async restoreSession(key: string, options: RequestOptions = {}): Promise<void> {
    if (this.#session !== null) throw new SessionActiveError();
    const id = this.#ids.next();
    const reply = await this.#send(requestIdKey(id), encodeRestoreSession(id, key), options);
    if (this.#session !== null) throw new SessionActiveError();
    this.#gainSession(parseSessionJson(reply.bytes));
  }

  /**
   * Closes the session: asks the server to detach this connection from it, then forgets it
   * and fires `sessionclosed`. Without a session it does nothing; without a connection (and
   * without autoconnect) it only forgets the session locally.
   */
  async closeSession(options: RequestOptions = {}): Promise<void> {
    if (this.#session === null) return;
    if (this.#status === "connected" || this.#status === "connecting" || this.#autoconnect) {
      const id = this.#ids.next();
      await this.#send(requestIdKey(id), encodeCloseSession(id), options);
    }
    this.#loseSession();
  }

  /**
   * Closes the client for good: stops reconnecting, rejects pending requests with
   * `DisconnectedError`, closes the connection and resolves once the socket is closed.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const wasConnected = this.#status === "connected";
    this.#status = "closed";
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#dialAbort?.abort();
    const connection = this.#connection;
    this.#connection = null;
    const error = this.#closedError();
    connection?.close(error);
    this.#pending.rejectAll(error);
    if (wasConnected) this.#emit("disconnected", error);
    this.#closing = connection === null ? Promise.resolve() : settleWithin(connection.closed, 2000);
    return this.#closing;
  }

  /** Listens to a client event; `event.detail` is typed by the event name. */
  override addEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ClientEventListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens to any event. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  /** Stops listening to a client event. */
  override removeEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ClientEventListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stops listening to any event. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  #closedError(): DisconnectedError {
    return new DisconnectedError("the client was closed");
  }

  /** Registers a request and sends it now, or queues it until a connection is up. */
  #send(key: number, bytes: Uint8Array, options: RequestOptions): Promise<Payload> {
    if (this.#status === "closed") return Promise.reject(this.#closedError());
    const connected = this.#status === "connected" && this.#connection !== null;
    if (!connected && this.#status === "disconnected" && !this.#autoconnect) {
      return Promise.reject(new DisconnectedError());
    }
    const reply = this.#pending.add(key, bytes, {
      timeout: options.timeout ?? this.#requestTimeout,
      signal: options.signal,
    });
    if (connected) this.#transmit(this.#connection!, key, bytes);
    else if (this.#status === "disconnected") this.#startAttempt().catch(() => {});
    return reply;
  }

  /** Sends a registered request on `connection`, rejecting it when that fails. */
  #transmit(connection: Connection, key: number, bytes: Uint8Array): void {
    if (!this.#pending.has(key)) return;
    try {
      connection.send(bytes);
      this.#pending.markSent(key);
    } catch (error) {
      this.#pending.reject(key, error);
    }
  }

  #startAttempt(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempt ??= this.#runAttempt().finally(() => this.#attempt = null);
    return this.#attempt;
  }

  async #runAttempt(): Promise<void> {
    this.#status = "connecting";
    const abort = new AbortController();
    this.#dialAbort = abort;
    let connection: Connection | undefined;
    try {
      connection = await Connection.open(this.url, {
        WebSocket: this.#WebSocket,
        dialTimeout: this.#dialTimeout,
        subProtocol: this.#subProtocol,
        signal: abort.signal,
      }, {
        onMessage: (message) => this.#receive(message),
        onClose: (error) => this.#dropped(connection!, error),
      });
      this.#connection = connection;
      await this.#restoreAfterConnect(connection);
      if (!connection.isOpen) {
        throw new DisconnectedError("the connection was lost while connecting");
      }
      // close() may have run while the restore was awaited: it stays closed. (The cast undoes
      // TypeScript's narrowing from the assignment above, which cannot see other calls.)
      if ((this.#status as ClientStatus) === "closed") {
        connection.close();
        throw new DisconnectedError("the client was closed while connecting");
      }
    } catch (error) {
      if (this.#connection === connection) this.#connection = null;
      this.#attemptFailed(error);
      throw error;
    } finally {
      if (this.#dialAbort === abort) this.#dialAbort = null;
    }
    this.#status = "connected";
    this.#failedAttempts = 0;
    for (const request of this.#pending.unsent()) {
      this.#transmit(connection, request.key, request.bytes);
    }
    this.#emit("connected", undefined);
  }

  #attemptFailed(error: unknown): void {
    if (this.#status === "closed") return;
    const fatal = error instanceof IncompatibleProtocolVersionError ||
      error instanceof SubProtocolMismatchError || error instanceof ProtocolError;
    if (this.#autoconnect && !fatal) {
      this.#scheduleRetry();
      return;
    }
    this.#status = "disconnected";
    // No retry is coming: requests waiting for a connection would only time out.
    for (const request of this.#pending.unsent()) this.#pending.reject(request.key, error);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#status === "closed") return;
    this.#status = "connecting";
    const delay = backoffDelay(this.#failedAttempts++, this.#backoff);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#startAttempt().catch(() => {});
    }, timerDelay(delay));
  }

  /** Restores the session (or the stored one) on a new connection before it is announced. */
  async #restoreAfterConnect(connection: Connection): Promise<void> {
    let key = this.#session?.key ?? null;
    const fromStorage = key === null && this.#storage !== undefined && !this.#storageRead;
    if (fromStorage) {
      this.#storageRead = true;
      try {
        key = await this.#storage!.get();
      } catch (error) {
        this.#logger.error("webwire client: reading the session storage failed:", error);
      }
    }
    if (key === null || key === "") return;
    const id = this.#ids.next();
    const idKey = requestIdKey(id);
    let reply: Payload;
    try {
      const bytes = encodeRestoreSession(id, key);
      const pending = this.#pending.add(idKey, bytes, { timeout: this.#requestTimeout }, true);
      this.#transmit(connection, idKey, bytes);
      reply = await pending;
    } catch (error) {
      // A lost connection leaves the session for the next attempt; anything else ends it.
      if (!connection.isOpen || this.#status === "closed") {
        if (fromStorage) this.#storageRead = false;
        throw error;
      }
      this.#logger.warn("webwire client: could not restore the session:", error);
      if (fromStorage) this.#store(null);
      else this.#loseSession();
      return;
    }
    try {
      const session = parseSessionJson(reply.bytes);
      if (fromStorage) this.#gainSession(session);
      else this.#session = session;
    } catch (error) {
      this.#logger.warn("webwire client: the restored session is malformed:", error);
      if (fromStorage) this.#store(null);
      else this.#loseSession();
    }
  }

  #dropped(connection: Connection, error: ProtocolError | DisconnectedError): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    const wasConnected = this.#status === "connected";
    this.#pending.rejectSent(error);
    if (!wasConnected) return; // An attempt under way reports the failure itself.
    this.#status = "disconnected";
    this.#emitDisconnected(error);
    if (this.#autoconnect && this.#status === "disconnected") this.#scheduleRetry();
  }

  #emitDisconnected(error: ProtocolError | DisconnectedError): void {
    const reason = error instanceof DisconnectedError
      ? error
      : new DisconnectedError("the server sent a malformed message", { cause: error });
    this.#emit("disconnected", reason);
  }

  #receive(message: Message): void {
    switch (message.kind) {
      case "reply":
      case "error-reply":
      case "shutdown-reply":
      case "internal-error-reply":
      case "session-not-found-reply":
      case "max-session-connections-reply":
      case "sessions-disabled-reply": {
        const key = requestIdKey(message.bytes, 1);
        if (!this.#pending.settle(key, replyOutcome(message))) {
          this.#logger.warn(`webwire client: ignored a reply to unknown request ${key}`);
        }
        return;
      }
      case "signal":
        this.#emit("signal", {
          name: message.nameText,
          payload: new Payload(message.payload, message.encoding),
        });
        return;
      case "session-created": {
        let session: Session;
        try {
          session = parseSessionJson(message.json);
        } catch (error) {
          this.#logger.error("webwire client: ignored a malformed session:", error);
          return;
        }
        this.#gainSession(session);
        return;
      }
      case "session-closed":
        this.#loseSession();
        return;
      default:
        this.#logger.warn(`webwire client: ignored a ${message.kind} message from the server`);
    }
  }

  #gainSession(session: Session): void {
    this.#session = session;
    this.#store(session.key);
    this.#emit("sessioncreated", session);
  }

  #loseSession(): void {
    if (this.#session === null) return;
    this.#session = null;
    this.#store(null);
    this.#emit("sessionclosed", undefined);
  }

  #store(key: string | null): void {
    if (this.#storage === undefined) return;
    try {
      const done = this.#storage.set(key);
      if (done instanceof Promise) {
        done.catch((error) => this.#logger.error("webwire client: session storage failed:", error));
      }
    } catch (error) {
      this.#logger.error("webwire client: session storage failed:", error);
    }
  }

  #emit<K extends keyof ClientEventMap>(type: K, detail: EventDetail<K>): void {
    const hook = this.#hooks[hookNames[type]] as ((detail: EventDetail<K>) => void) | undefined;
    if (hook !== undefined) {
      try {
        hook(detail);
      } catch (error) {
        this.#logger.error(`webwire client: the ${hookNames[type]} callback threw:`, error);
      }
    }
    this.dispatchEvent(new ClientEvent(type, detail));
  }
}

function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
