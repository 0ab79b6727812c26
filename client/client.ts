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
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import { MessageSlab } from "../protocol/message_slab.ts";
import { writeRequestMessage } from "../protocol/payload_message_writer.ts";
import type { Payload } from "../protocol/payload.ts";
import type { ProtocolError } from "../protocol/protocol_error.ts";
import { RequestIdCounter, requestIdKey } from "../protocol/request_id.ts";
import { parseSessionJson } from "../protocol/session_json.ts";
import type { Session } from "../protocol/session_json.ts";
import { ClientSession } from "./client_session.ts";
import { ConnectAttempts } from "./connect_attempts.ts";
import { Connection } from "./connection.ts";
import { DisconnectedError, SessionActiveError } from "./errors.ts";
import {
  type ClientEventListener,
  type ClientEventMap,
  type ClientHooks,
  emitClientEvent,
} from "./events.ts";
import {
  type ClientOptions,
  type RequestOptions,
  resolveClientOptions,
  type ResolvedClientOptions,
  type SignalOptions,
} from "./options.ts";
import { type PendingOptions, PendingRequests } from "./pending_requests.ts";
import { type MessageReceiver, receiveMessage } from "./receive_message.ts";

export type { ClientEventListener } from "./events.ts";

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
 * A WebWire v2 client. Portable: it needs only the standard `WebSocket` (or one passed in),
 * timers, `AbortSignal` and `EventTarget`.
 *
 * Events (`signal`, `sessioncreated`, `sessionclosed`, `connecting`, `connectfailed`,
 * `connected`, `disconnected`) can be followed with typed `addEventListener` or with the
 * `on…` callbacks of the options.
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

  readonly #options: ResolvedClientOptions;
  readonly #hooks: ClientHooks;

  readonly #ids = new RequestIdCounter();
  readonly #requestId = new Uint8Array(8);
  readonly #slab = new MessageSlab();
  readonly #defaultLimits: PendingOptions;
  readonly #pending = new PendingRequests(() => this.#lastFailure);
  readonly #session: ClientSession;
  readonly #attempts: ConnectAttempts;
  readonly #receiver: MessageReceiver;
  #status: ClientStatus = "disconnected";
  #connection: Connection | null = null;
  #closing: Promise<void> | null = null;
  /** The error of the last failed connect attempt since the last connection. */
  #lastFailure: Error | undefined;

  /**
   * Creates a client for `url`; nothing happens until `connect()` or the first request.
   *
   * @throws {TypeError} when there is no global `WebSocket` and none is given.
   */
  constructor(url: string | URL, options: ClientOptions = {}) {
    super();
    this.url = String(url);
    this.#options = resolveClientOptions(options);
    this.#defaultLimits = { timeout: this.#options.requestTimeout };
    this.#hooks = options;
    const isClosed = () => this.#status === "closed";
    this.#session = new ClientSession({
      storage: options.sessionStorage,
      logger: this.#options.logger,
      get closed() {
        return isClosed();
      },
      restore: (connection, key) => this.#restoreFirst(connection, key),
      created: (session) => this.#emit("sessioncreated", session),
      closedSession: () => this.#emit("sessionclosed", undefined),
    });
    this.#receiver = {
      pending: this.#pending,
      logger: this.#options.logger,
      signal: (signal) => this.#emit("signal", signal),
      sessionCreated: (json) => this.#session.received(json),
      sessionClosed: () => this.#session.lose(),
    };
    this.#attempts = new ConnectAttempts({
      autoconnect: this.#options.autoconnect,
      backoff: this.#options.reconnect,
      get closed() {
        return isClosed();
      },
      connecting: () => this.#status = "connecting",
      attempting: (attempt) => this.#emit("connecting", { attempt }),
      attemptFailed: (attempt, error, retryDelay) => {
        this.#lastFailure = asError(error);
        this.#emit("connectfailed", { attempt, error: this.#lastFailure, retryDelay });
      },
      open: (signal) => this.#open(signal),
      prepare: (connection) => this.#session.restoreOn(connection),
      abandon: (connection) => {
        if (this.#connection === connection) this.#connection = null;
      },
      connected: (connection) => this.#connected(connection),
      gaveUp: (error) => this.#gaveUp(error),
    });
  }

  /** The connection state. */
  get status(): ClientStatus {
    return this.#status;
  }

  /** The current session, or `null`. */
  get session(): Session | null {
    return this.#session.current;
  }

  /** How many requests await a reply (sent, or waiting for a connection). */
  get pendingRequests(): number {
    return this.#pending.size;
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
   * or sub-protocol mismatch, malformed accept-conf) or `close()` stops the retries. To wait
   * for the connection whatever it takes, wait for the `connected` event instead. Without
   * `autoconnect`, a rejection leaves the client `disconnected`.
   *
   * Rejects with `ConnectionFailedError` (refused, HTTP status, DNS: as far as the runtime
   * tells), `DialTimeoutError`, `DisconnectedError` (closed meanwhile),
   * `IncompatibleProtocolVersionError`, `SubProtocolMismatchError` or `ProtocolError`.
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
    if (this.#status === "closed") return Promise.reject(this.#closedError());
    if (this.#status === "connected") return Promise.resolve();
    return this.#attempts.start();
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
   * `MessageTooLargeError`, a `ProtocolError` (the server sent something malformed) or a
   * `RangeError` (bad name, neither name nor payload).
   */
  request(
    name: string,
    payload?: Uint8Array | string,
    options: RequestOptions = noOptions,
  ): Promise<Payload> {
    // The id goes through a reused array, copied into the message; the message is cut from a
    // slab, which costs far less than a new array on Deno.
    const id = this.#requestId;
    const key = this.#ids.nextInto(id);
    let bytes: Uint8Array;
    try {
      const fields = { id, name, payload, encoding: options.encoding };
      bytes = writeRequestMessage(fields, this.#slab.allocate, undefined, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(key, bytes, options);
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
   * Rejects with `SessionActiveError` when the client has a session when called; a session a
   * handler creates while the restore is on its way is replaced by the restored one, as on the
   * server (`sessionclosed`, then `sessioncreated`). Rejects with `SessionNotFoundError`,
   * `MaxSessionConnectionsError`, `SessionsDisabledError`, or any error of `request`.
   */
  async restoreSession(key: string, options: RequestOptions = {}): Promise<void> {
    if (this.#session.current !== null) throw new SessionActiveError();
    const id = this.#ids.next();
    const reply = await this.#send(requestIdKey(id), encodeRestoreSession(id, key), options);
    const restored = parseSessionJson(reply.bytes);
    // A handler created a session while the restore was on its way: the server answered the
    // restore after it, so it now holds the restored session (the other one was detached), and
    // so does the client.
    if (this.#session.current !== null) this.#session.lose();
    this.#session.gain(restored);
  }

  /**
   * Closes the session: asks the server to detach this connection from it, then forgets it
   * and fires `sessionclosed`. Without a session it does nothing; without a connection (and
   * without autoconnect) it only forgets the session locally.
   */
  async closeSession(options: RequestOptions = {}): Promise<void> {
    if (this.#session.current === null) return;
    if (
      this.#status === "connected" || this.#status === "connecting" || this.#options.autoconnect
    ) {
      const id = this.#ids.next();
      await this.#send(requestIdKey(id), encodeCloseSession(id), options);
    }
    this.#session.lose();
  }

  /**
   * Closes the client for good: stops reconnecting, rejects pending requests with
   * `DisconnectedError`, closes the connection and resolves once the socket is closed.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const wasConnected = this.#status === "connected";
    this.#status = "closed";
    this.#attempts.stop();
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
    if (!connected && this.#status === "disconnected" && !this.#options.autoconnect) {
      return Promise.reject(new DisconnectedError());
    }
    if (!connected && !(options.waitForConnection ?? this.#options.waitForConnection)) {
      if (this.#status === "disconnected") this.#attempts.start().catch(() => {});
      return Promise.reject(
        new DisconnectedError("not connected: the request was not sent", {
          cause: this.#lastFailure,
        }),
      );
    }
    // Without options of its own, a request shares one limits object (no allocation).
    const limits = options.timeout === undefined && options.signal === undefined
      ? this.#defaultLimits
      : { timeout: options.timeout ?? this.#options.requestTimeout, signal: options.signal };
    if (connected) return this.#pending.addAndSend(key, bytes, limits, this.#connection!);
    const reply = this.#pending.add(key, bytes, limits);
    if (this.#status === "disconnected") this.#attempts.start().catch(() => {});
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

  /** Sends a restore-session request on `connection` ahead of the requests queued for it. */
  #restoreFirst(connection: Connection, key: string): Promise<Payload> {
    const id = this.#ids.next();
    const idKey = requestIdKey(id);
    const bytes = encodeRestoreSession(id, key);
    return this.#pending.addAndSend(
      idKey,
      bytes,
      { timeout: this.#options.requestTimeout },
      connection,
    );
  }

  /** Dials; the connection is the client's from then on, so that its loss reaches it. */
  #open(signal: AbortSignal): Promise<Connection> {
    let connection: Connection | undefined;
    return Connection.open(this.url, {
      WebSocket: this.#options.WebSocket,
      dialTimeout: this.#options.dialTimeout,
      subProtocol: this.#options.subProtocol,
      signal,
      tracer: this.#options.tracer,
    }, {
      onMessage: (message) => receiveMessage(message, this.#receiver),
      onClose: (error) => this.#dropped(connection!, error),
    }).then((opened) => this.#connection = connection = opened);
  }

  #connected(connection: Connection): void {
    this.#status = "connected";
    this.#lastFailure = undefined;
    for (const request of this.#pending.unsent()) {
      this.#transmit(connection, request.key, request.bytes);
    }
    this.#emit("connected", undefined);
  }

  #gaveUp(error: unknown): void {
    this.#status = "disconnected";
    // No retry is coming: requests waiting for a connection would only time out.
    for (const request of this.#pending.unsent()) this.#pending.reject(request.key, error);
  }

  #dropped(connection: Connection, error: ProtocolError | DisconnectedError): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    const wasConnected = this.#status === "connected";
    this.#pending.rejectSent(error);
    if (!wasConnected) return; // An attempt under way reports the failure itself.
    this.#status = "disconnected";
    this.#emitDisconnected(error);
    if (this.#options.autoconnect && this.#status === "disconnected") {
      this.#attempts.scheduleRetry();
    }
  }

  #emitDisconnected(error: ProtocolError | DisconnectedError): void {
    const reason = error instanceof DisconnectedError
      ? error
      : new DisconnectedError("the server sent a malformed message", { cause: error });
    this.#emit("disconnected", reason);
  }

  #emit<K extends keyof ClientEventMap>(type: K, detail: ClientEventMap[K]["detail"]): void {
    emitClientEvent(this, this.#hooks, this.#options.logger, type, detail);
  }
}

/** The options of a request made without any: shared, never changed. */
const noOptions: RequestOptions = Object.freeze({});

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
