/**
 * The server side of one connection: what handlers do with it (signals, topics, sessions,
 * closing), its session requests, the read timeout, and how it ends, on top of its message path
 * ({@link ConnectionTraffic}: reading, dispatching to handlers, sending). Internal to the server
 * core.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * const socket = { send: () => {}, close: () => {}, terminate: () => {}, bufferedAmount: 0 };
 * const server = new Server();
 * const state = server.accept(socket); // a ConnectionState
 * state.closed(1000, "bye"); // the client left
 * console.assert(server.connectionCount === 0);
 * await server.shutdown();
 * ```
 * @module
 */

import { encodeSignalInScratch } from "../protocol/encode_in_scratch.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { CloseSessionMessage, RestoreSessionMessage } from "../protocol/message.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import type { Payload } from "../protocol/payload.ts";
import type { SessionInfo } from "../protocol/session_json.ts";
import type { Session } from "../session/session_manager.ts";
import { CloseCode } from "./close_codes.ts";
import { CloseDeadline } from "./close_deadline.ts";
import { truncateUtf8 } from "./close_reason.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import { ConnectionSession } from "./connection_session.ts";
import { ConnectionTraffic } from "./connection_traffic.ts";
import type { DisconnectKind, DisconnectReason } from "./disconnect_reason.ts";
import { ConnectionInactiveError } from "./errors.ts";
import { afterIdleOrGrace, shutdownDeadline, whenReadyToClose } from "./graceful_close.ts";
import type { ProtocolViolation } from "./options.ts";
import { disconnectReasonFor, reportViolation } from "./protocol_violations.ts";
import type { ServerContext } from "./server_context.ts";
import { signalBytes } from "./server_push.ts";
import { checkTopicName } from "./topic_name.ts";
import type { ConnectionOptions, TransportEvents, TransportSocket } from "./transport.ts";

/** The `info` of connections whose `beforeUpgrade` set none: one object for all of them. */
const noInfo: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * One accepted socket and everything the server knows about it.
 *
 * @example
 * ```ts
 * import { ConnectionState } from "./connection_state.ts";
 * import { Server } from "@webwire/webwire/server";
 * const socket = { send: () => {}, close: () => {}, terminate: () => {}, bufferedAmount: 0 };
 * const server = new Server();
 * const state = server.accept(socket, { info: { user: "ada" } }, { remoteAddress: "::1" });
 * console.assert(state instanceof ConnectionState && state.connection.info.user === "ada");
 * state.closed(1001, "page closed");
 * await server.shutdown();
 * ```
 */
export class ConnectionState extends ConnectionTraffic implements ConnectionHost, TransportEvents {
  /** The facade that handlers see. */
  readonly connection: Connection;
  /** The session side; made on the first session operation. */
  #sessionSide: ConnectionSession<ConnectionState> | undefined;
  /** The topics subscribed to; kept after the close, for the disconnect hook. */
  #topics: Set<string> | undefined;
  /** The session held when the connection ended, for the disconnect hook. */
  #sessionAtClose: Session | null = null;
  /**
   * Signals held back while a restore sends its reply and the kept signals, each with the key
   * of the session it was sent to (for a session signal).
   */
  #deferredPushes: { bytes: Uint8Array; sessionKey: string | undefined }[] | null = null;
  /** Their bytes: past `maxSendBuffer` the client is closed as a slow reader. */
  #deferredBytes = 0;
  /** Made when the server sends its close frame. */
  #closeDeadline: CloseDeadline | undefined;
  /** Whether the `onProtocolViolation` hook runs (a violation it causes is not reported). */
  #reportingViolation = false;
  /** A push is being sent (see `push`). */
  #pushing = false;

  /** Accepts a socket: sends nothing yet (the server sends accept-conf). */
  constructor(
    server: ServerContext,
    socket: TransportSocket,
    options: ConnectionOptions,
    remoteAddress: string,
  ) {
    super(server, socket, options.concurrencyLimit ?? 0);
    this.connection = new Connection(this, options.info ?? noInfo, remoteAddress);
  }

  get #session(): ConnectionSession<ConnectionState> {
    if (this.#sessionSide !== undefined) return this.#sessionSide;
    const server = this.server;
    const isOpen = () => this.isOpen;
    this.#sessionSide = new ConnectionSession({
      owner: this,
      get isOpen() {
        return isOpen();
      },
      sessionsEnabled: server.limits.sessionsEnabled,
      sessions: server.sessions,
      closes: server.sessionCloses,
      sessionManager: server.sessionManager,
      keyGenerator: server.keyGenerator,
      logger: server.logger,
      restoreFailures: server.restoreFailures,
      giveBackFailures: server.giveBackFailures,
      lifecycle: server.sessionLifecycle,
      send: (bytes) => this.send(bytes),
      maxSendBuffer: server.limits.maxSendBuffer,
      sendCost: (length) => length + this.messageRoom,
      deferPushes: () => {
        this.#deferredPushes ??= [];
      },
      resumePushes: (key) => {
        const deferred = this.#deferredPushes ?? [];
        this.#deferredPushes = null;
        this.#deferredBytes = 0;
        // Those the connection closed before: never written, so the restore keeps them again.
        const unsent: Uint8Array[] = [];
        for (const { bytes, sessionKey } of deferred) {
          if (this.isOpen) this.send(bytes);
          else if (sessionKey === key) unsent.push(bytes);
        }
        return unsent;
      },
      ended: (session) => this.#reportSessionEnded(session),
    });
    return this.#sessionSide;
  }

  /** The session this connection holds, or held when it ended. */
  get session(): Session | null {
    return this.isOpen ? this.#sessionSide?.current ?? null : this.#sessionAtClose;
  }

  /** The topics this connection subscribed to, or had when it ended. */
  get topics(): readonly string[] {
    return this.#topics === undefined ? [] : [...this.#topics];
  }

  /**
   * Sends a pushed signal (broadcast, topic, or a signal to session `sessionKey`): at once, or
   * after a restore in progress has sent its reply and the signals kept for the session.
   */
  push(bytes: Uint8Array, sessionKey?: string): void {
    // A push that finds a slow reader closes it at once, but its hooks run once the push has
    // reached every receiver: a hook that pushes could otherwise overtake it to the others.
    this.#pushing = true;
    try {
      if (this.#deferredPushes === null) this.send(bytes);
      else this.#deferPush(bytes, sessionKey);
    } finally {
      this.#pushing = false;
    }
  }

  /**
   * Holds a push back while a restore is answered. They would all be queued for the client at
   * once when it is: past `maxSendBuffer` (a session lookup or a cluster stuck while pushes
   * keep coming) the client is closed as a slow reader, and the session's own signals are
   * kept for it again, as for any connection that closes during its restore.
   */
  #deferPush(bytes: Uint8Array, sessionKey: string | undefined): void {
    // Closing already: only the session's own signals are held (to be kept again).
    if (this.decided !== undefined && sessionKey === undefined) return;
    this.#deferredPushes!.push({ bytes, sessionKey });
    this.#deferredBytes += bytes.length;
    const limit = this.server.limits.maxSendBuffer;
    if (this.#deferredBytes <= limit || this.decided !== undefined) return;
    this.violation({
      kind: "slow-reader",
      message: `${this.#deferredBytes} bytes of pushes held back while its restore is answered`,
    }, CloseCode.PolicyViolation);
  }

  /**
   * Resolves when the send buffer is under the high-water mark, or once the connection closes or
   * begins to close (a handler waiting here must not hold up a graceful close).
   */
  whenWritable(): Promise<void> {
    if (this.isWritable()) return Promise.resolve();
    return this.sendBuffer.writable();
  }

  /** The runtime dropped a message for the peer (a transport event): a slow reader. */
  dropped(message: string): void {
    if (!this.isOpen || this.decided !== undefined) return;
    this.violation({ kind: "slow-reader", message }, CloseCode.PolicyViolation);
  }

  /** The socket closed (a transport event). */
  closed(code = 1005, reason = ""): void {
    this.#closeDeadline?.socketGone();
    if (!this.isOpen) return;
    // The peer left while its replies were being sent: it is still the server's decision.
    if (this.decided !== undefined) return this.#finish(this.decided);
    if (code === CloseCode.MessageTooBig) {
      // Runtimes that enforce the size limit themselves (Bun, `ws` under Hono on Node) close with 1009.
      reportViolation(this.server, this.connection, {
        kind: "too-big",
        message: reason || "message too big",
      });
      return this.#finish({ kind: "message-too-big", code, message: reason });
    }
    this.#finish({ kind: "client-closed", code, message: reason });
  }

  // --- Connection operations --------------------------------------------------------------

  /** Sends a signal to the client. */
  signal(name: string, payload: Payload | Uint8Array | string, encoding?: PayloadEncoding): void {
    if (!this.isOpen) throw new ConnectionInactiveError("signal");
    // Behind the pushes a restore holds back, in the order they were sent.
    if (this.#deferredPushes !== null) return this.push(signalBytes(name, payload, encoding));
    const encode = this.socket.copiesOnSend === true ? encodeSignalInScratch : encodeSignal;
    this.send(signalBytes(name, payload, encoding, encode));
  }

  /** Subscribes to a topic; `false` when subscribed already. */
  subscribe(topic: string): boolean {
    checkTopicName(topic);
    if (!this.isOpen) throw new ConnectionInactiveError("subscribe");
    this.#topics ??= new Set();
    if (this.#topics.has(topic)) return false;
    this.#topics.add(topic);
    this.server.topics.subscribe(topic, this);
    return true;
  }

  /** Unsubscribes from a topic; `false` when not subscribed (or the connection ended). */
  unsubscribe(topic: string): boolean {
    if (!this.isOpen || this.#topics?.delete(topic) !== true) return false;
    this.server.topics.unsubscribe(topic, this);
    return true;
  }

  /** Creates, stores and announces a session. */
  createSession(info?: SessionInfo): Promise<Session> {
    return this.#session.create(info);
  }

  /** Detaches the session, destroys it when this was its last connection, tells the client. */
  closeSession(): Promise<boolean> {
    return this.#session.close();
  }

  /**
   * Detaches session `key` if this connection still holds it when its turn comes and tells the
   * client, leaving the session manager alone (`Server.closeSession` forgets the session);
   * `false` when the connection holds another session or none by then.
   */
  closeSessionKey(key: string): Promise<boolean> {
    return this.#session.closeKey(key);
  }

  /** Closes gracefully: waits for running handlers (at most `timeout` ms), then with `code`. */
  async close(code: number, reason: string, timeout?: number): Promise<void> {
    const deadline = shutdownDeadline(timeout);
    try {
      await this.closeGracefully("server-closed", code, reason, deadline.over);
    } finally {
      deadline.clear();
    }
  }

  /**
   * Refuses new work, waits for running handlers (at most `deadline`, a promise that resolves
   * when waiting is over) and for the client to pause (at most `closeGrace`), then closes with
   * the given code.
   */
  async closeGracefully(
    kind: DisconnectKind,
    code: number,
    message: string,
    deadline?: Promise<void>,
  ): Promise<void> {
    if (!this.isOpen) return;
    this.refuseWork();
    await whenReadyToClose(this, this.server.limits.closeGrace, deadline);
    this.closeNow({ kind, code, message });
  }

  /**
   * Closes the connection if nothing was read from it for the read timeout (the server checks
   * every connection eight times per read timeout, at least twice a second).
   */
  checkReadTimeout(now: number): void {
    if (!this.isOpen || this.decided !== undefined) return;
    const timeout = this.server.limits.readTimeout;
    if (now - this.lastReadAsOf(now) < timeout) return;
    this.#decideClose({
      kind: "read-timeout",
      code: CloseCode.ReadTimeout,
      message: `nothing read for ${timeout} ms`,
    });
  }

  // --- Ending -----------------------------------------------------------------------------

  /** Answers a restore-session or close-session request of the client. */
  protected answerSessionRequest(
    message: RestoreSessionMessage | CloseSessionMessage,
  ): Promise<void> {
    return this.#session.answer(message);
  }

  /** Reports a violation of the client and closes the connection for it. */
  protected violation(violation: ProtocolViolation, code: number): void {
    // A hook that sends to a slow reader causes the violation again: reported once.
    if (this.#pushing) {
      queueMicrotask(() => reportViolation(this.server, this.connection, violation));
    } else if (!this.#reportingViolation) {
      this.#reportingViolation = true;
      try {
        reportViolation(this.server, this.connection, violation);
      } finally {
        this.#reportingViolation = false;
      }
    }
    const reason = disconnectReasonFor(violation, code);
    // A slow reader would not read the replies: its close frame goes out at once.
    if (reason.kind === "slow-reader") return this.closeNow(reason);
    // Nothing after the bad input is read (where the adapter reads itself): the replies of the
    // handlers already running, then the close frame, reach a client that has half-closed.
    this.socket.stopReading?.();
    this.#decideClose(reason);
  }

  /**
   * The server closes the connection: nothing more is read from it, and the close frame follows
   * the replies of the handlers already running (at most `closeGrace` later).
   */
  #decideClose(reason: DisconnectReason): void {
    if (!this.isOpen || this.decided !== undefined) return;
    this.refuseWork(reason);
    const grace = this.server.limits.closeGrace;
    if (!this.busy || grace === 0) return this.closeNow(reason);
    afterIdleOrGrace(this, grace, () => this.closeNow(reason));
  }

  /** Sends the close frame now, with the close deadline after it. */
  protected closeNow(reason: DisconnectReason): void {
    if (!this.isOpen) return;
    // Finished first: some runtimes (Bun) report the close synchronously from `close()`, and
    // that report must not pass for the client's.
    this.#finish(reason);
    const deadline = this.#closeDeadline = new CloseDeadline(this.socket);
    // WebSocket close reasons are limited to 123 bytes.
    this.socket.close(reason.code, truncateUtf8(reason.message, 123), this.lastRead);
    deadline.start(this.server.limits.closeTimeout, (gone) => this.server.socketClosing(gone));
  }

  #finish(reason: DisconnectReason): void {
    if (!this.isOpen) return;
    this.endTraffic();
    for (const topic of this.#topics ?? []) this.server.topics.unsubscribe(topic, this);
    const side = this.#sessionSide;
    if (side !== undefined) {
      this.#sessionAtClose = side.current;
      // A dropped connection leaves its session stored, so that the client can restore it.
      const failures = this.server.leaveFailures;
      this.server.sessionLeaving(
        side.leave().then(() => failures.reset(), (error) => {
          if (!failures.tally()) return;
          this.server.logger.error(
            `an ended connection could not leave its session (${failures.count} in a row; a ` +
              "cluster gives its slot back once Redis answers)",
            error,
          );
        }),
      );
    }
    this.server.removeConnection(this);
    if (this.#pushing) queueMicrotask(() => this.#reportDisconnect(reason));
    else this.#reportDisconnect(reason);
  }

  #reportSessionEnded(session: Session): void {
    const { onSessionEnded } = this.server.hooks;
    if (onSessionEnded === undefined) return;
    this.server.hookFailures.call(
      "onSessionEnded",
      () => onSessionEnded(this.connection, session),
    );
  }

  #reportDisconnect(reason: DisconnectReason): void {
    const { onClientDisconnected } = this.server.hooks;
    if (onClientDisconnected === undefined) return;
    this.server.hookFailures.call(
      "onClientDisconnected",
      () => onClientDisconnected(this.connection, reason),
    );
  }
}
