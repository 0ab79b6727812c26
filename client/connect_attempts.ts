/**
 * The client's connection attempts: one at a time, retried after a failure (with
 * `autoconnect`) under a growing, jittered backoff, until one succeeds, a handshake error
 * shows that retrying cannot help, `shouldRetry` says no, or the client is closed. Internal to
 * the client.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 *
 * // Nothing listens on port 1: every attempt fails, and the client retries after a backoff.
 * const reconnect = { initialDelay: 10, maxDelay: 50 };
 * const client = new Client("ws://127.0.0.1:1/", { reconnect });
 * const failures: string[] = [];
 * const twice = Promise.withResolvers<void>();
 * client.addEventListener("connectfailed", ({ detail }) => {
 *   failures.push(`${detail.attempt}: retry ${detail.retryDelay === null ? "never" : "later"}`);
 *   if (failures.length === 2) twice.resolve();
 * });
 * await client.connect().catch(() => {}); // rejects with the first failure; retries go on
 * await twice.promise;
 * await client.close(); // stops retrying
 * console.assert(failures.join(", ") === "1: retry later, 2: retry later");
 * ```
 * @module
 */

import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { Connection } from "./connection.ts";
import { DialTimeoutError, DisconnectedError } from "./errors.ts";
import { lostWhileConnecting } from "./lost_while_connecting.ts";
import { timerDelay } from "./timer_delay.ts";

/**
 * What the connection attempts need of their client.
 *
 * @example
 * ```ts
 * import type { AttemptHost } from "./connect_attempts.ts";
 * type Retries = AttemptHost["autoconnect"];
 * const retries: Retries = true;
 * console.assert(retries);
 * ```
 */
export interface AttemptHost {
  /** Whether failed attempts are retried. */
  readonly autoconnect: boolean;
  /** How long to wait before each retry. */
  readonly backoff: BackoffOptions;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** An attempt starts, or a retry is scheduled: the client is connecting. */
  connecting(): void;
  /** Attempt number `attempt` (1 after a connection) starts. */
  attempting(attempt: number): void;
  /**
   * Whether to retry after a failure that may go away (`shouldRetry`); absent: yes. Asked
   * under `autoconnect` only, and not after a handshake error.
   */
  retries?(error: unknown): boolean;
  /** Attempt number `attempt` failed; `retryDelay` is `null` when no retry follows. */
  attemptFailed(attempt: number, error: unknown, retryDelay: number | null): void;
  /**
   * Dials; `signal` aborts the dial when the client is closed. `dialing` is told, once the
   * socket is made, of a promise that resolves once that socket has closed. The client holds
   * the connection from then on, so that its loss reaches the client.
   */
  open(signal: AbortSignal, dialing: (closed: Promise<void>) => void): Promise<Connection>;
  /** Readies a new connection before it is announced (restores the session). */
  prepare(connection: Connection): Promise<void>;
  /** Lets go of the connection (if any) of a failed attempt. */
  abandon(connection: Connection | undefined): void;
  /** The attempt succeeded: the client is connected. */
  connected(connection: Connection): void;
  /** The attempt failed and no retry follows: the client is disconnected. */
  gaveUp(error: unknown): void;
}

/** How long a connection must stay up, at most, for the backoff to start over. */
const maxStableAfter = 60_000;

/**
 * Runs a client's connection attempts and schedules its retries.
 *
 * @example
 * ```ts
 * import { ConnectAttempts } from "./connect_attempts.ts";
 * const log: string[] = [];
 * const attempts = new ConnectAttempts({
 *   autoconnect: false,
 *   backoff: { initialDelay: 10, factor: 2, maxDelay: 100 },
 *   closed: false,
 *   connecting: () => log.push("connecting"),
 *   attempting: (attempt) => log.push(`attempt ${attempt}`),
 *   attemptFailed: (attempt, _error, retryDelay) => log.push(`failed ${attempt} ${retryDelay}`),
 *   open: () => Promise.reject(new Error("no server here")),
 *   prepare: () => Promise.resolve(),
 *   abandon: () => log.push("abandoned"),
 *   connected: () => log.push("connected"),
 *   gaveUp: (error) => log.push(`gave up: ${(error as Error).message}`),
 * });
 * await attempts.start().catch(() => {});
 * console.assert(
 *   log.join() === "connecting,attempt 1,abandoned,gave up: no server here,failed 1 null",
 * );
 * ```
 */
export class ConnectAttempts {
  readonly #host: AttemptHost;
  #attempt: Promise<void> | null = null;
  #dialAbort: AbortController | null = null;
  /** Resolves once the socket of the attempt under way has closed; `null` before it is made. */
  #dialClosed: Promise<void> | null = null;
  /**
   * Resolves once the socket of the last failed attempt has closed; `null` once it has. A
   * socket that timed out after it opened may still be closing during the backoff (its close
   * handshake waits for a server that does not answer).
   */
  #failedClosed: Promise<void> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** In a browser, ends a scheduled retry's wait when the network comes back. */
  readonly #online = () => {
    if (this.#retryTimer === undefined) return;
    this.#clearRetry();
    this.start().catch(() => {});
  };
  #failures = 0;
  #attempts = 0;
  /** When the last attempt succeeded (`performance.now()` ms), until its connection is lost. */
  #connectedAt: number | undefined;

  /** Starts idle. */
  constructor(host: AttemptHost) {
    this.#host = host;
  }

  /**
   * Starts an attempt now (cancelling a scheduled retry), or joins the one under way. Rejects
   * with the attempt's error. The attempt is under way before its first event fires, so that
   * a listener that connects joins it and one that closes the client ends it.
   */
  start(): Promise<void> {
    if (this.#attempt !== null) return this.#attempt;
    this.#clearRetry();
    const abort = new AbortController();
    this.#dialAbort = abort;
    // Not Promise.withResolvers: Node 20 has none.
    let settle!: [resolve: () => void, reject: (error: unknown) => void];
    const attempt = new Promise<void>((resolve, reject) => settle = [resolve, reject]);
    this.#attempt = attempt;
    this.#run(++this.#attempts, abort).then(...settle);
    return attempt;
  }

  /**
   * Schedules the next attempt after the backoff delay, unless one is scheduled or under way
   * already; returns the delay in milliseconds, or `null` when nothing was scheduled. The
   * delay grows with each failure since the last connection that stayed up for at least
   * `maxDelay` (at most a minute): a server that accepts and drops every connection at once is
   * not hammered.
   */
  scheduleRetry(): number | null {
    if (this.#retryTimer !== undefined || this.#attempt !== null || this.#host.closed) {
      return null;
    }
    const connectedAt = this.#connectedAt;
    this.#connectedAt = undefined;
    const stable = Math.min(this.#host.backoff.maxDelay, maxStableAfter);
    if (connectedAt !== undefined && performance.now() - connectedAt >= stable) {
      this.#failures = 0;
    }
    this.#host.connecting();
    const delay = backoffDelay(this.#failures++, this.#host.backoff);
    this.#retryTimer = setTimeout(() => {
      this.#clearRetry();
      this.start().catch(() => {});
    }, timerDelay(delay));
    // A page that was offline retries as soon as the browser is back online, not after the
    // rest of a backoff delay of up to `maxDelay`.
    onlineTarget()?.addEventListener("online", this.#online);
    return delay;
  }

  #clearRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    onlineTarget()?.removeEventListener("online", this.#online);
  }

  /**
   * Cancels a scheduled retry and aborts a dial under way (the client is closing). Returns a
   * promise that resolves once the socket of the attempt under way, and that of the last failed
   * attempt, have closed; `null` when neither has a socket still open.
   */
  stop(): Promise<void> | null {
    this.#clearRetry();
    const dialClosed = this.#dialClosed;
    const failedClosed = this.#failedClosed;
    this.#dialAbort?.abort();
    if (dialClosed === null || failedClosed === null) return dialClosed ?? failedClosed;
    return Promise.all([dialClosed, failedClosed]).then(() => {});
  }

  /** Attempt number `attempt`, the one under way; `abort` aborts its dial. */
  async #run(attempt: number, abort: AbortController): Promise<void> {
    const host = this.#host;
    let connection: Connection | undefined;
    try {
      host.connecting();
      host.attempting(attempt);
      // A listener of the events may have closed the client.
      if (host.closed) throw new DisconnectedError("the client was closed while connecting");
      connection = await host.open(abort.signal, (closed) => {
        if (this.#dialAbort === abort) this.#dialClosed = closed;
      });
      await host.prepare(connection);
      if (!connection.isOpen) throw lostWhileConnecting(connection);
      // close() may have run while the connection was prepared: the client stays closed.
      if (host.closed) throw new DisconnectedError("the client was closed while connecting");
    } catch (caught) {
      // The connection ended meanwhile: the attempt fails with why (a protocol violation, say),
      // not with what that did to the step under way (a restore that could not be sent).
      const error = connection !== undefined && !connection.isOpen && !host.closed
        ? lostWhileConnecting(connection)
        : caught;
      // Not left open: a restore that failed (timed out, say) leaves the connection unusable.
      connection?.close();
      host.abandon(connection);
      const closed = this.#ended(abort);
      if (closed !== null) this.#closingAfterFailure(closed);
      this.#failed(attempt, error, connection !== undefined);
      throw error;
    }
    this.#ended(abort);
    this.#connectedAt = performance.now();
    this.#attempts = 0;
    host.connected(connection);
  }

  /**
   * The attempt under way is over: a listener of its outcome may start the next one. Returns
   * the promise that its socket has closed, if it made one.
   */
  #ended(abort: AbortController): Promise<void> | null {
    this.#attempt = null;
    if (this.#dialAbort !== abort) return null;
    const closed = this.#dialClosed;
    this.#dialAbort = null;
    this.#dialClosed = null;
    return closed;
  }

  /** Keeps the closed promise of a failed attempt's socket for `stop()`, until it resolves. */
  #closingAfterFailure(closed: Promise<void>): void {
    this.#failedClosed = closed;
    const forget = () => {
      if (this.#failedClosed === closed) this.#failedClosed = null;
    };
    closed.then(forget, forget);
  }

  /**
   * Attempt number `attempt` failed with `error`; `established` when its connection had passed
   * the handshake (the session restore on it failed, or the connection was lost meanwhile).
   */
  #failed(attempt: number, error: unknown, established: boolean): void {
    const host = this.#host;
    if (host.closed) return;
    const fatal = !established && !retryableDialError(error);
    const retry = host.autoconnect && !fatal && (host.retries?.(error) ?? true);
    // The hook may have closed the client, or started the next attempt (with `connect()`).
    if (host.closed) return;
    let retryDelay: number | null = this.#attempt === null ? null : 0;
    if (retry) retryDelay = this.scheduleRetry() ?? retryDelay;
    else if (this.#attempt === null) host.gaveUp(error);
    host.attemptFailed(attempt, error, retryDelay);
  }
}

/**
 * Whether `error`, from a dial that established no connection, may go away on a retry: the
 * server could not be reached (`DisconnectedError`, `ConnectionFailedError`) or did not answer
 * in time (`DialTimeoutError`). Anything else shows that retrying cannot help: the server
 * speaks another version or sub-protocol, sent a malformed accept-conf (`ProtocolError`), or
 * the WebSocket constructor refused to dial (an error of its own, such as a `SyntaxError`).
 * A `ProtocolError` on a connection past its handshake (a malformed frame during the session
 * restore, a restore reply with no session JSON) is no handshake error: that connection goes
 * and the next attempt starts afresh.
 */
function retryableDialError(error: unknown): boolean {
  return error instanceof DisconnectedError || error instanceof DialTimeoutError;
}

/** The target of the browser's `online` event (`window`), or `undefined` outside a browser. */
function onlineTarget(): EventTarget | undefined {
  const target = globalThis as { navigator?: { onLine?: unknown } } & Partial<EventTarget>;
  return typeof target.navigator?.onLine === "boolean" &&
      typeof target.addEventListener === "function"
    ? target as EventTarget
    : undefined;
}
