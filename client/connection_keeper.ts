/**
 * The connection a client keeps: its status, the dial and the retries (`ConnectAttempts`),
 * what happens when a connection is up, when the attempts give up and when it is lost, and
 * the client's close. Internal to the client, which gives it a {@link KeeperHost}.
 *
 * @example
 * ```ts
 * import { ConnectionKeeper } from "./connection_keeper.ts";
 * import { resolveClientOptions } from "./options.ts";
 * const keeper = new ConnectionKeeper("ws://127.0.0.1:1/", resolveClientOptions({ WebSocket }), {
 *   emit: (type) => console.log(type),
 *   received: () => {},
 *   prepare: () => Promise.resolve(),
 *   connected: () => {},
 *   gaveUp: () => {},
 *   lost: () => {},
 * });
 * console.assert(keeper.status === "disconnected" && keeper.connection === null);
 * ```
 * @module
 */

import type { Message } from "../protocol/message.ts";
import type { ProtocolError } from "../protocol/protocol_error.ts";
import type { RequestHost } from "./client_requests.ts";
import type { ClientStatus } from "./client_status.ts";
import { ConnectAttempts } from "./connect_attempts.ts";
import { Connection } from "./connection.ts";
import { urlToDial } from "./dial_url.ts";
import { DisconnectedError } from "./errors.ts";
import type { ClientEventMap } from "./events.ts";
import { HeldEvents, type HeldEventType } from "./held_events.ts";
import type { ResolvedClientOptions } from "./options.ts";
import { RetryPolicy } from "./retry_policy.ts";
import { SilenceWatch } from "./silence_watch.ts";

/**
 * What a {@link ConnectionKeeper} tells its client.
 *
 * @example
 * ```ts
 * import type { KeeperHost } from "./connection_keeper.ts";
 * const log: string[] = [];
 * const host: KeeperHost = {
 *   emit: (type) => void log.push(type),
 *   received: (message) => void log.push(message.kind),
 *   prepare: () => Promise.resolve(),
 *   connected: () => void log.push("send the held requests"),
 *   gaveUp: () => void log.push("reject the held requests"),
 *   lost: () => void log.push("reject the sent requests"),
 * };
 * host.emit("connected", undefined);
 * console.assert(log.join() === "connected");
 * ```
 */
export interface KeeperHost {
  /** Fires a client event. */
  emit<K extends keyof ClientEventMap>(type: K, detail: ClientEventMap[K]["detail"]): void;
  /** A message arrived on the connection. */
  received(message: Message): void;
  /** Readies a new connection before it is announced (restores the session). */
  prepare(connection: Connection): Promise<void>;
  /** A dial made no connection (the server could not be reached). */
  unreachable?(): void;
  /** A connection is up (before `connected` fires): send what waited for it. */
  connected(connection: Connection): void;
  /** The attempts gave up and no retry follows: reject what waited for a connection. */
  gaveUp(error: unknown): void;
  /** The connection was lost: what was sent on it gets no reply. */
  lost(error: ProtocolError | DisconnectedError): void;
  /**
   * Since when (`performance.now()`) requests sent on the connection have awaited replies
   * without a break, `undefined` while none does (`silenceTimeout`).
   */
  waitingSince?(): number | undefined;
}

/**
 * Keeps a client's connection: dials, retries under `autoconnect`, and reports.
 *
 * @example
 * ```ts
 * import { ConnectionKeeper } from "./connection_keeper.ts";
 * import { resolveClientOptions } from "./options.ts";
 * const options = resolveClientOptions({ WebSocket, autoconnect: false, dialTimeout: 1000 });
 * const failures: string[] = [];
 * const keeper = new ConnectionKeeper("ws://127.0.0.1:1/", options, {
 *   emit: (type) => void (type === "connectfailed" && failures.push(type)),
 *   received: () => {},
 *   prepare: () => Promise.resolve(),
 *   connected: () => {},
 *   gaveUp: () => {},
 *   lost: () => {},
 * });
 * await keeper.connect().catch(() => {});
 * console.assert(failures.length === 1 && keeper.status === "disconnected");
 * ```
 */
export class ConnectionKeeper implements RequestHost {
  readonly #url: string;
  readonly #options: ResolvedClientOptions;
  readonly #host: KeeperHost;
  readonly #attempts: ConnectAttempts;
  #status: ClientStatus = "disconnected";
  #connection: Connection | null = null;
  #lastFailure: Error | undefined;
  readonly #held: HeldEvents;
  readonly #retryPolicy: RetryPolicy;
  /** The dead-link check of the connection while connected (`silenceTimeout`). */
  #silence: SilenceWatch | null = null;
  /** The closed promise of the last dropped connection's socket, until it resolves. */
  #droppedClosed: Promise<void> | null = null;
  /**
   * What `connect()` calls made while the connection closes wait for: resolved once its close
   * is reported, or once the client is closed (the socket may hold its close for long).
   */
  #closeReported: { promise: Promise<void>; resolve: () => void } | null = null;

  /** Starts disconnected; nothing happens until {@link ConnectionKeeper.connect}. */
  constructor(url: string, options: ResolvedClientOptions, host: KeeperHost) {
    this.#url = url;
    this.#options = options;
    this.#host = host;
    this.#held = new HeldEvents(options.heldSignals, options.logger);
    const retryPolicy = new RetryPolicy(options.shouldRetry, options.logger);
    this.#retryPolicy = retryPolicy;
    const isClosed = () => this.#status === "closed";
    this.#attempts = new ConnectAttempts({
      autoconnect: options.autoconnect,
      backoff: options.reconnect,
      get closed() {
        return isClosed();
      },
      connecting: () => this.#status = "connecting",
      attempting: (attempt) => host.emit("connecting", { attempt }),
      retries: (error) => retryPolicy.allows(asError(error)),
      attemptFailed: (attempt, error, retryDelay) => {
        this.#lastFailure = asError(error);
        host.emit("connectfailed", { attempt, error: this.#lastFailure, retryDelay });
      },
      open: (signal, dialing) => this.#open(signal, dialing),
      prepare: (connection) => host.prepare(connection),
      abandon: (connection) => {
        if (connection === undefined) host.unreachable?.();
        if (this.#connection === connection) this.#connection = null;
        // The connection was never announced: its signals go with it, but a session change it
        // brought (a stored session restored, or refused) did happen.
        this.#held.release(host.emit, false);
      },
      connected: (connection) => this.#connected(connection),
      gaveUp: (error) => {
        this.#status = "disconnected";
        host.gaveUp(error);
      },
    });
  }

  /**
   * The client's status as the client acts on it: `connected` from `connected` until
   * `disconnected` fires.
   */
  get status(): ClientStatus {
    return this.#status;
  }

  /**
   * The client's status as `Client.status` reports it: {@link ConnectionKeeper.status}, except
   * `disconnected` already while the connection closes (the server's close frame has come, so
   * nothing sent goes out) and its close is yet to be reported. Browsers and `ws` report it only
   * once the server has ended the TCP connection; `disconnected` fires then, and requests made
   * meanwhile wait for the next connection (or fail, without `autoconnect`).
   */
  get reportedStatus(): ClientStatus {
    const status = this.#status;
    return status === "connected" && this.#connection?.writable === false ? "disconnected" : status;
  }

  /** The connection while connected (or while an attempt restores the session on it). */
  get connection(): Connection | null {
    return this.#connection;
  }

  /** The error of the last failed connect attempt since the last connection. */
  get lastFailure(): Error | undefined {
    return this.#lastFailure;
  }

  /**
   * Fires an event that a message of the connection (or the session restore on it) caused:
   * at once while connected, else (a connect attempt is preparing its connection) right after
   * `connected`, in the order they came. Events of the client's own calls made while not
   * connected (`closeSession` offline) fire at once, since no attempt is under way then.
   */
  announce<K extends HeldEventType>(type: K, detail: ClientEventMap[K]["detail"]): void {
    if (this.#status === "connecting") this.#held.hold(type, detail);
    else this.#host.emit(type, detail);
  }

  /**
   * Fires the events still held (a listener of one of them closes the client, which fires
   * `disconnected` after them).
   */
  releaseHeld(): void {
    this.#held.release(this.#host.emit, true);
  }

  /** Makes or joins a connect attempt; see `Client.connect`. */
  connect(): Promise<void> {
    if (this.#status === "closed") return Promise.reject(closedError());
    if (this.#status === "connected") {
      const connection = this.#connection;
      // Closing (`reportedStatus` says disconnected): the attempt follows its reported close.
      if (connection?.writable === false) {
        if (this.#closeReported === null) {
          let resolve!: () => void;
          const promise = new Promise<void>((done) => resolve = done);
          this.#closeReported = { promise, resolve };
        }
        return this.#closeReported.promise.then(() => this.connect());
      }
      return Promise.resolve();
    }
    return this.#attempts.start();
  }

  /** Requests wait for replies again: the dead-link check looks while they do. */
  waitingStarted(): void {
    this.#silence?.wake();
  }

  /** Starts a connect attempt in the background; its failure is reported by events only. */
  startConnecting(): void {
    this.#attempts.start().catch(() => {});
  }

  /**
   * Closes for good: stops the attempts (aborting a dial under way) and closes the connection,
   * which `error` ends. Returns a promise that resolves once the socket of the connection, or
   * of the dial (and that of the last failed attempt, still closing during the backoff), has
   * closed; `null` when there was none.
   */
  close(error: DisconnectedError): Promise<void> | null {
    this.#status = "closed";
    this.#wakeFollowers();
    const dialClosed = this.#attempts.stop();
    const connection = this.#connection;
    this.#connection = null;
    this.#silence?.stop();
    this.#silence = null;
    connection?.close(error);
    const closed = connection?.closed ?? this.#droppedClosed;
    if (closed === null || dialClosed === null) return closed ?? dialClosed;
    return Promise.all([closed, dialClosed]).then(() => {});
  }

  /**
   * Dials (the URL `dialUrl` gives, if set); the connection is kept from then on, so that its
   * loss is seen. `dialing` gets the socket's closed promise as soon as the socket is made.
   */
  #open(signal: AbortSignal, dialing: (closed: Promise<void>) => void): Promise<Connection> {
    const { dialUrl, dialTimeout } = this.#options;
    if (dialUrl === undefined) return this.#dial(undefined, signal, dialing);
    return urlToDial(dialUrl, this.#url, dialTimeout, signal)
      .then((address) => this.#dial(address, signal, dialing));
  }

  /** Dials `address`, default the client's URL, which names the server in errors and traces. */
  #dial(
    address: string | undefined,
    signal: AbortSignal,
    dialing: (closed: Promise<void>) => void,
  ): Promise<Connection> {
    let connection: Connection | undefined;
    return Connection.open(this.#url, {
      address,
      WebSocket: this.#options.WebSocket,
      dialTimeout: this.#options.dialTimeout,
      subProtocol: this.#options.subProtocol,
      signal,
      dialing,
      tracer: this.#options.tracer,
    }, {
      onMessage: (message) => {
        this.#silence?.heard();
        this.#host.received(message);
      },
      onClose: (error) => this.#dropped(connection!, error),
    }).then((opened) => this.#connection = connection = opened);
  }

  #connected(connection: Connection): void {
    this.#status = "connected";
    this.#watchSilence(connection);
    this.#lastFailure = undefined;
    this.#retryPolicy.connected();
    this.#host.connected(connection);
    this.#host.emit("connected", undefined);
    this.#held.release(this.#host.emit, true);
  }

  /** Drops `connection` once requests wait on it with nothing heard for `silenceTimeout`. */
  #watchSilence(connection: Connection): void {
    const { silenceTimeout } = this.#options;
    const waitingSince = this.#host.waitingSince;
    if (silenceTimeout === Infinity || waitingSince === undefined) return;
    this.#silence = new SilenceWatch(silenceTimeout, waitingSince, (silentFor) => {
      const seconds = (silentFor / 1000).toFixed(1);
      connection.close(
        new DisconnectedError(
          `nothing came from the server for ${seconds} s while requests waited ` +
            `(silenceTimeout ${silenceTimeout} ms): the connection was taken for dead`,
        ),
      );
    });
  }

  /** The `connect()` calls that wait for the closing connection go on (in a microtask). */
  #wakeFollowers(): void {
    this.#closeReported?.resolve();
    this.#closeReported = null;
  }

  #dropped(connection: Connection, error: ProtocolError | DisconnectedError): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    this.#wakeFollowers();
    this.#silence?.stop();
    this.#silence = null;
    const droppedClosed = connection.closed;
    this.#droppedClosed = droppedClosed;
    const forget = () => {
      if (this.#droppedClosed === droppedClosed) this.#droppedClosed = null;
    };
    droppedClosed.then(forget, forget);
    const wasConnected = this.#status === "connected";
    // Before the sent requests fail: no code that learns of the loss finds the client connected.
    if (wasConnected) this.#status = "disconnected";
    this.#host.lost(error);
    if (!wasConnected) return; // An attempt under way reports the failure itself.
    const reason = error instanceof DisconnectedError
      ? error
      : new DisconnectedError("the server sent a malformed message", { cause: error });
    this.#held.release(this.#host.emit, true); // a listener of one lost the connection
    // Decided before `disconnected` fires, so that its listeners find the client `connecting`
    // when a retry follows (a request made there waits for it) and `disconnected` when none
    // does. A listener (of a held event) or the hook may have closed or dialed meanwhile.
    if (this.#options.autoconnect && this.#status === "disconnected") {
      if (this.#retryPolicy.allows(reason)) {
        if (this.#status === "disconnected") this.#attempts.scheduleRetry();
      } else if (this.#status === "disconnected") {
        this.#host.gaveUp(reason);
      }
    }
    this.#host.emit("disconnected", reason);
  }
}

/**
 * The error of anything asked of a closed client.
 *
 * @example
 * ```ts
 * import { closedError } from "./connection_keeper.ts";
 * console.assert(closedError().message === "the client was closed");
 * ```
 */
export function closedError(): DisconnectedError {
  return new DisconnectedError("the client was closed");
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
