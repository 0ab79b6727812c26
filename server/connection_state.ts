/**
 * The server side of one connection: reads messages, dispatches them to handlers under the
 * concurrency limit, answers session requests, enforces the read timeout and the limits, and
 * closes gracefully. Internal to the server core.
 *
 * @example
 * ```ts
 * import { ConnectionState } from "./connection_state.ts";
 * console.assert(typeof ConnectionState === "function");
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import { encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { encodeReplyInScratch, encodeSignalInScratch } from "../protocol/encode_in_scratch.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
import type {
  CloseSessionMessage,
  RequestMessage,
  RestoreSessionMessage,
  SignalMessage,
} from "../protocol/message.ts";
import { MessageType, type PayloadEncoding } from "../protocol/message_type.ts";
import type { Payload } from "../protocol/payload.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import type { SessionInfo } from "../protocol/session_json.ts";
import type { Session } from "../session/session_manager.ts";
import { CloseCode } from "./close_codes.ts";
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import { ConnectionSession } from "./connection_session.ts";
import type { DisconnectKind, DisconnectReason } from "./disconnect_reason.ts";
import { ConnectionInactiveError } from "./errors.ts";
import { callRequestHandler, callSignalHandler, type HandlerSite } from "./handler_calls.ts";
import type { ProtocolViolation } from "./options.ts";
import { SendBuffer } from "./send_buffer.ts";
import { checkTopicName } from "./topic_name.ts";
import { signalBytes } from "./server_push.ts";
import { truncateUtf8 } from "./close_reason.ts";
import { pendingRequestKey } from "./pending_request_key.ts";
import type { ServerContext } from "./server_context.ts";
import type { ConnectionOptions, TransportEvents, TransportSocket } from "./transport.ts";

/** Trace names of connections without a remote address; filled only while tracing. */
const traceNumbers = new WeakMap<object, number>();
let traceCount = 0;

/** How long a client must have sent nothing before a graceful close sends its close frame. */
const quietBeforeClose = 50;
/** The `info` of connections whose `beforeUpgrade` set none: one object for all of them. */
const noInfo: Readonly<Record<string, unknown>> = Object.freeze({});

/** The most a WebSocket frame header adds to a server's message (2 to 10 bytes), and spare. */
const frameHeaderRoom = 16;

/**
 * One accepted socket and everything the server knows about it.
 *
 * @example
 * ```ts
 * import { ConnectionState } from "./connection_state.ts";
 * console.assert(ConnectionState.name === "ConnectionState");
 * ```
 */
export class ConnectionState implements ConnectionHost, TransportEvents {
  /** The facade that handlers see. */
  readonly connection: Connection;
  readonly #server: ServerContext;
  readonly #socket: TransportSocket;
  /** Made with the first request or signal (an idle connection needs none). */
  #limiter: ConcurrencyLimiter | undefined;
  readonly #concurrencyLimit: number;
  // What an idle connection does not need is made when first needed: memory per connection
  // is what a server with many idle clients pays for.
  /** Aborted when the connection ends; made with the first request. */
  #abort: AbortController | undefined;
  /** Ids of requests received and not yet answered. */
  #pendingIds: Set<number | string> | undefined;
  /** The session side; made on the first session operation. */
  #sessionSide: ConnectionSession<ConnectionState> | undefined;
  /** Made when a reply or handler first waits for the socket to drain. */
  #sendBuffer: SendBuffer | undefined;
  #open = true;
  #closing = false;
  /**
   * Why the server decided to close (a violation, a flood, a read timeout): from then on nothing
   * more is read, and the close frame follows the replies of the handlers already running.
   */
  #decided: DisconnectReason | undefined;
  /** Whether the runtime reported the socket closed, or it was terminated. */
  #gone = false;
  #whenGone: (() => void) | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #tasks = 0;
  #idleWaiters: (() => void)[] | undefined;
  #lastRead = Date.now();
  /** The topics subscribed to; kept after the close, for the disconnect hook. */
  #topics: Set<string> | undefined;
  /** The session held when the connection ended, for the disconnect hook. */
  #sessionAtClose: Session | null = null;
  /** Pushed signals held back while a restore sends its reply and the kept signals. */
  #deferredPushes: Uint8Array[] | null = null;
  #site: HandlerSite | undefined;
  /**
   * At least as many bytes as the socket has queued: what it had when last asked plus what was
   * sent since (with room for frame headers). Asking the socket costs a call into the runtime on
   * Deno; while this bound is under a limit, the queue is too, and nobody needs to ask.
   */
  #queuedAtMost = Infinity;

  /** Accepts a socket: sends nothing yet (the server sends accept-conf). */
  constructor(
    server: ServerContext,
    socket: TransportSocket,
    options: ConnectionOptions,
    remoteAddress: string,
  ) {
    this.#server = server;
    this.#socket = socket;
    this.#concurrencyLimit = options.concurrencyLimit ?? 0;
    this.connection = new Connection(this, options.info ?? noInfo, remoteAddress);
  }

  get #session(): ConnectionSession<ConnectionState> {
    if (this.#sessionSide !== undefined) return this.#sessionSide;
    const server = this.#server;
    const isOpen = () => this.#open;
    this.#sessionSide = new ConnectionSession({
      owner: this,
      get isOpen() {
        return isOpen();
      },
      sessionsEnabled: server.limits.sessionsEnabled,
      sessions: server.sessions,
      sessionManager: server.sessionManager,
      keyGenerator: server.keyGenerator,
      logger: server.logger,
      lifecycle: server.sessionLifecycle,
      send: (bytes) => this.send(bytes),
      deferPushes: () => void (this.#deferredPushes ??= []),
      resumePushes: () => {
        const deferred = this.#deferredPushes ?? [];
        this.#deferredPushes = null;
        for (const bytes of deferred) this.send(bytes);
      },
    });
    return this.#sessionSide;
  }

  get #limits(): ConcurrencyLimiter {
    return this.#limiter ??= new ConcurrencyLimiter(this.#concurrencyLimit);
  }

  get #buffer(): SendBuffer {
    return this.#sendBuffer ??= new SendBuffer(this.#socket, this.#server.limits.sendHighWaterMark);
  }

  /** Whether at most the high-water mark is queued for the client. */
  #isWritable(): boolean {
    return !this.#open || this.#queuedAtMostUnder(this.#server.limits.sendHighWaterMark);
  }

  /** Whether the socket has at most `limit` bytes queued, asking it only when unsure. */
  #queuedAtMostUnder(limit: number): boolean {
    if (this.#queuedAtMost <= limit) return true;
    this.#queuedAtMost = this.#socket.bufferedAmount;
    return this.#queuedAtMost <= limit;
  }

  /** Whether the socket is open and the connection is not closing. */
  get isActive(): boolean {
    return this.#open && !this.#closing;
  }

  /** Whether the socket is open (it may be closing gracefully). */
  get isOpen(): boolean {
    return this.#open;
  }

  /** The session this connection holds, or held when it ended. */
  get session(): Session | null {
    return this.#open ? this.#sessionSide?.current ?? null : this.#sessionAtClose;
  }

  /** The topics this connection subscribed to, or had when it ended. */
  get topics(): readonly string[] {
    return this.#topics === undefined ? [] : [...this.#topics];
  }

  /** How trace lines name this connection: its remote address, or `#` and a number. */
  get tracePeer(): string {
    const address = this.connection.remoteAddress;
    if (address !== "") return address;
    let number = traceNumbers.get(this);
    if (number === undefined) traceNumbers.set(this, number = ++traceCount);
    return `#${number}`;
  }

  /**
   * Sends raw bytes if the socket is open. Bytes in the scratch buffer are sent before anything
   * else runs (the tracer's sink is user code that could encode the next message over them).
   */
  send(bytes: Uint8Array): void {
    if (!this.#open) return;
    this.#socket.send(bytes);
    if (this.#server.tracer !== undefined) this.#server.tracer.sent(this.tracePeer, bytes);
    this.#queuedAtMost += bytes.length + frameHeaderRoom;
    if (!this.#queuedAtMostUnder(this.#server.limits.maxSendBuffer)) {
      const queued = this.#queuedAtMost;
      // Closing already: the replies it waits for cannot get through either.
      if (this.#decided !== undefined) return this.#closeNow(this.#decided);
      this.#violation({
        kind: "slow-reader",
        message: `${queued} bytes queued for a client that does not read`,
      }, CloseCode.PolicyViolation);
    }
  }

  /**
   * Sends a pushed signal (broadcast, topic, session): at once, or after a restore in progress
   * has sent its reply and the signals kept for the session.
   */
  push(bytes: Uint8Array): void {
    if (this.#deferredPushes !== null) this.#deferredPushes.push(bytes);
    else this.send(bytes);
  }

  // --- Transport events -------------------------------------------------------------------

  /** A frame from the client. */
  message(data: Uint8Array | string): void {
    if (!this.#open) return;
    // Also while a decided close waits for running handlers: the close frame waits for a pause.
    this.#lastRead = Date.now();
    if (this.#decided !== undefined) return;
    if (typeof data === "string") {
      return this.#violation(
        { kind: "text-frame", message: "text frames are not WebWire messages" },
        CloseCode.UnsupportedData,
      );
    }
    if (data.length > this.#server.limits.messageBufferSize) {
      return this.#violation({
        kind: "too-big",
        message:
          `message of ${data.length} bytes exceeds the buffer of ${this.#server.limits.messageBufferSize}`,
      }, CloseCode.MessageTooBig);
    }
    let message;
    try {
      message = decodeMessage(data);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return this.#violation(
        { kind: "malformed", message: error.message },
        CloseCode.ProtocolViolation,
      );
    }
    if (this.#server.tracer !== undefined) this.#server.tracer.received(this.tracePeer, message);
    switch (message.kind) {
      case "heartbeat":
        return;
      case "request":
        return this.#receiveRequest(message);
      case "signal":
        return this.#receiveSignal(message);
      case "restore-session":
      case "close-session":
        return this.#receiveSessionRequest(message);
      default:
        this.#reportViolation({
          kind: "unexpected-message",
          message: `clients do not send ${message.kind} messages (type ${message.type}); ignored`,
        });
    }
  }

  /** The socket closed. */
  closed(code = 1005, reason = ""): void {
    this.#socketGone();
    if (!this.#open) return;
    // The peer left while its replies were being sent: it is still the server's decision.
    if (this.#decided !== undefined) return this.#finish(this.#decided);
    if (code === CloseCode.MessageTooBig) {
      // Runtimes that enforce the size limit themselves (Bun, `ws` under Hono on Node) close
      // with 1009.
      this.#reportViolation({ kind: "too-big", message: reason || "message too big" });
      return this.#finish({ kind: "message-too-big", code, message: reason });
    }
    this.#finish({ kind: "client-closed", code, message: reason });
  }

  /** The peer broke the WebSocket protocol (an adapter with its own framing found it). */
  failed(code: number, reason: string): void {
    if (!this.#open || this.#decided !== undefined) return;
    this.#lastRead = Date.now();
    const kind = code === CloseCode.MessageTooBig ? "too-big" : "malformed";
    this.#violation({ kind, message: reason }, code);
  }

  /** The socket's send buffer drained. */
  drained(): void {
    this.#sendBuffer?.drained();
  }

  // --- Connection operations --------------------------------------------------------------

  /** Sends a signal to the client. */
  signal(name: string, payload: Payload | Uint8Array | string, encoding?: PayloadEncoding): void {
    if (!this.#open) throw new ConnectionInactiveError("signal");
    const encode = this.#socket.copiesOnSend === true ? encodeSignalInScratch : encodeSignal;
    this.send(signalBytes(name, payload, encoding, encode));
  }

  /** Subscribes to a topic; `false` when subscribed already. */
  subscribe(topic: string): boolean {
    checkTopicName(topic);
    if (!this.#open) throw new ConnectionInactiveError("subscribe");
    this.#topics ??= new Set();
    if (this.#topics.has(topic)) return false;
    this.#topics.add(topic);
    this.#server.topics.subscribe(topic, this);
    return true;
  }

  /** Unsubscribes from a topic; `false` when not subscribed (or the connection ended). */
  unsubscribe(topic: string): boolean {
    if (!this.#open || this.#topics?.delete(topic) !== true) return false;
    this.#server.topics.unsubscribe(topic, this);
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

  /** Closes gracefully: waits for running handlers, then closes the socket. */
  async close(): Promise<void> {
    await this.closeGracefully("server-closed", CloseCode.Normal, "connection closed");
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
    if (!this.#open) return;
    this.#closing = true;
    // A request sent just before the close began is on its way: the pause counts from here.
    const began = Date.now();
    let over = false;
    void deadline?.then(() => over = true);
    await (deadline === undefined ? this.idle() : Promise.race([this.idle(), deadline]));
    // Requests the client sent before it could know get the shutdown reply instead of being cut
    // off by the close frame: it goes out once the client has paused (within closeGrace).
    const latest = Date.now() + this.#server.limits.closeGrace;
    for (;;) {
      if (!this.#open || over || Date.now() >= latest) break;
      const wait = quietBeforeClose - (Date.now() - Math.max(this.#lastRead, began));
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, latest - Date.now())));
        continue;
      }
      // The pause may be this process's own: after a stall (a busy or descheduled process) a
      // timer can run before the frames that arrived meanwhile are delivered. One more turn of
      // the event loop delivers them; a frame read means the client was not quiet.
      const seen = this.#lastRead;
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.#lastRead === seen) break;
    }
    this.#closeNow({ kind, code, message });
  }

  /** Resolves when the send buffer is under the high-water mark (or the socket closed). */
  whenWritable(): Promise<void> {
    if (this.#isWritable()) return Promise.resolve();
    return this.#buffer.writable();
  }

  /**
   * Closes the connection if nothing was read from it for the read timeout (the server checks
   * every connection a few times per read timeout, at least once a second).
   */
  checkReadTimeout(now: number): void {
    if (!this.#open || this.#decided !== undefined) return;
    const timeout = this.#server.limits.readTimeout;
    if (now - this.#lastRead < timeout) return;
    this.#decideClose({
      kind: "read-timeout",
      code: CloseCode.ReadTimeout,
      message: `nothing read for ${timeout} ms`,
    });
  }

  /** Resolves when no handler of this connection runs or waits. */
  idle(): Promise<void> {
    if (this.#tasks === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  // --- Incoming messages ------------------------------------------------------------------

  #refusesWork(): boolean {
    return this.#closing || this.#server.shuttingDown;
  }

  #receiveRequest(message: RequestMessage): void {
    const key = pendingRequestKey(message.bytes);
    if (this.#pendingIds?.has(key) === true) {
      return this.#violation({
        kind: "duplicate-request-id",
        message: "a request reused the id of a request still pending",
      }, CloseCode.ProtocolViolation);
    }
    if (this.#refusesWork()) {
      return this.send(encodeSpecialReply(MessageType.ShutdownReply, message.id));
    }
    if (!this.#startTask()) return;
    (this.#pendingIds ??= new Set()).add(key);
    if (this.#limits.tryAcquire()) this.#startRequest(message, key);
    else this.#limits.acquire(() => this.#startRequest(message, key));
  }

  #startRequest(message: RequestMessage, key: number | string): void {
    // A request that waited for a slot while its connection closed has nobody to answer.
    if (!this.#open) return this.#endRequest(key);
    const signal = (this.#abort ??= new AbortController()).signal;
    callRequestHandler(this.#handlerSite, message, key, signal);
  }

  /** What the handler calls need of this connection. */
  get #handlerSite(): HandlerSite {
    if (this.#site !== undefined) return this.#site;
    const isOpen = () => this.#open;
    const answer = (key: number | string, reply: Uint8Array) => this.#answer(key, reply);
    const signalDone = () => this.#endSignal();
    return this.#site = {
      hooks: this.#server.hooks,
      connection: this.connection,
      logger: this.#server.logger,
      get isOpen() {
        return isOpen();
      },
      encodeReply: this.#socket.copiesOnSend === true ? encodeReplyInScratch : encodeReply,
      answer,
      signalDone,
    };
  }

  /** Sends a reply; the request's slot is freed once the send buffer is under its limit. */
  #answer(key: number | string, reply: Uint8Array): void {
    this.send(reply);
    if (this.#isWritable()) return this.#endRequest(key);
    this.#buffer.writable().then(() => this.#endRequest(key));
  }

  #endRequest(key: number | string): void {
    this.#pendingIds?.delete(key);
    this.#limiter?.release();
    this.#endTask();
  }

  #receiveSignal(message: SignalMessage): void {
    if (this.#refusesWork()) return;
    if (this.#server.hooks.onSignal === undefined) return;
    if (!this.#startTask()) return;
    if (this.#limits.tryAcquire()) this.#startSignal(message);
    else this.#limits.acquire(() => this.#startSignal(message));
  }

  #startSignal(message: SignalMessage): void {
    callSignalHandler(this.#handlerSite, message);
  }

  #endSignal(): void {
    this.#limiter?.release();
    this.#endTask();
  }

  #receiveSessionRequest(message: RestoreSessionMessage | CloseSessionMessage): void {
    if (this.#refusesWork()) {
      return this.send(encodeSpecialReply(MessageType.ShutdownReply, message.id));
    }
    if (!this.#startTask()) return;
    void this.#session.answer(message).finally(() => this.#endTask());
  }

  // --- Limits, tasks, backpressure --------------------------------------------------------

  #startTask(): boolean {
    if (this.#tasks >= this.#server.limits.maxPendingMessages) {
      this.#violation({
        kind: "flood",
        message: `more than ${this.#server.limits.maxPendingMessages} messages waiting`,
      }, CloseCode.PolicyViolation);
      return false;
    }
    this.#tasks++;
    return true;
  }

  #endTask(): void {
    if (--this.#tasks > 0) return;
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const wake of waiters) wake();
  }

  // --- Ending -----------------------------------------------------------------------------

  #reportViolation(violation: ProtocolViolation): void {
    this.#server.violationLog.warn(
      `protocol violation from ${
        this.connection.remoteAddress || "a client"
      }: ${violation.message}`,
    );
    try {
      this.#server.hooks.onProtocolViolation?.(this.connection, violation);
    } catch (error) {
      this.#server.logger.error("onProtocolViolation hook failed", error);
    }
  }

  #violation(violation: ProtocolViolation, code: number): void {
    this.#reportViolation(violation);
    const kind: DisconnectKind = violation.kind === "too-big"
      ? "message-too-big"
      : violation.kind === "flood" || violation.kind === "slow-reader"
      ? violation.kind
      : "protocol-violation";
    const reason = { kind, code, message: violation.message };
    // A slow reader would not read the replies: its close frame goes out at once.
    if (kind === "slow-reader") this.#closeNow(reason);
    else this.#decideClose(reason);
  }

  /**
   * The server closes the connection: nothing more is read from it, and the close frame follows
   * the replies of the handlers already running (at most `closeGrace` later).
   */
  #decideClose(reason: DisconnectReason): void {
    if (!this.#open || this.#decided !== undefined) return;
    this.#decided = reason;
    this.#closing = true;
    const grace = this.#server.limits.closeGrace;
    if (this.#tasks === 0 || grace === 0) return this.#closeNow(reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const over = new Promise<void>((resolve) => timer = setTimeout(resolve, grace));
    void Promise.race([this.idle(), over]).then(() => {
      clearTimeout(timer);
      this.#closeNow(reason);
    });
  }

  #closeNow(reason: DisconnectReason): void {
    if (!this.#open) return;
    // Finished first: some runtimes (Bun) report the close synchronously from `close()`, and
    // that report must not pass for the client's.
    this.#finish(reason);
    // WebSocket close reasons are limited to 123 bytes.
    this.#socket.close(reason.code, truncateUtf8(reason.message, 123), this.#lastRead);
    if (this.#gone) return;
    this.#server.socketClosing(new Promise((resolve) => this.#whenGone = resolve));
    // The close deadline: a peer that neither reads nor answers the close cannot hold the socket.
    this.#closeTimer = setTimeout(() => {
      if (this.#gone) return;
      this.#socket.terminate();
      this.#socketGone();
    }, this.#server.limits.closeTimeout);
  }

  #socketGone(): void {
    this.#gone = true;
    clearTimeout(this.#closeTimer);
    this.#whenGone?.();
    this.#whenGone = undefined;
  }

  #finish(reason: DisconnectReason): void {
    if (!this.#open) return;
    this.#open = false;
    this.#sendBuffer?.stop();
    this.#abort?.abort(new ConnectionInactiveError("reply"));
    for (const topic of this.#topics ?? []) this.#server.topics.unsubscribe(topic, this);
    const side = this.#sessionSide;
    if (side !== undefined) {
      this.#sessionAtClose = side.current;
      // A dropped connection leaves its session stored, so that the client can restore it.
      side.leave().catch(() => {});
    }
    this.#server.removeConnection(this);
    try {
      this.#server.hooks.onClientDisconnected?.(this.connection, reason);
    } catch (error) {
      this.#server.logger.error("onClientDisconnected hook failed", error);
    }
  }
}
