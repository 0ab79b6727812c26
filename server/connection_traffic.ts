/**
 * The message path of one connection, the part that runs for every message: reading frames
 * (limits, decoding, tracing), starting the handlers of requests and signals under the
 * concurrency limit and the pending-message limit, and sending with backpressure. The rest of a
 * connection (sessions, topics, closing) is `ConnectionState`, built on this class; the two are
 * one object, so a message passes through no extra layer. Internal to the server core.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { encodeRequest } from "@webwire/webwire/protocol";
 * const sent: Uint8Array[] = [];
 * const socket = { send: (b: Uint8Array) => void sent.push(b), close: () => {}, bufferedAmount: 0 };
 * const server = new Server({ onRequest: (request) => request.payload, closeTimeout: 10 });
 * const connection = server.accept({ ...socket, terminate: () => connection.closed() });
 * connection.message(encodeRequest({ id: new Uint8Array(8), name: "echo", payload: "hi" }));
 * await server.shutdown(); // after the reply: sent are accept-conf and the reply
 * console.assert(sent.length === 2);
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import { encodeSpecialReply } from "../protocol/encode_control_message.ts";
import type {
  CloseSessionMessage,
  RequestMessage,
  RestoreSessionMessage,
  SignalMessage,
} from "../protocol/message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { utf8Length } from "../protocol/text.ts";
import { CloseCode } from "./close_codes.ts";
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { ConnectionTasks } from "./connection_tasks.ts";
import type { Connection } from "./connection.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";
import { ConnectionInactiveError } from "./errors.ts";
import {
  callRequestHandler,
  callSignalHandler,
  type HandlerSite,
  handlerSite,
} from "./handler_calls.ts";
import type { ProtocolViolation } from "./options.ts";
import { pendingRequestKey } from "./pending_request_key.ts";
import { PendingRequestIds } from "./pending_request_ids.ts";
import { reportViolation } from "./protocol_violations.ts";
import { SendBuffer } from "./send_buffer.ts";
import { SessionRequestIds } from "./session_request_ids.ts";
import { LastRead } from "./last_read.ts";
import { tracePeer } from "./trace_peer.ts";
import type { ServerContext } from "./server_context.ts";
import type { TransportSocket } from "./transport.ts";
import { slowReaderMessage } from "./slow_reader_message.ts";

/** The most a WebSocket frame header adds to a server's message (2 to 10 bytes), and spare. */
const frameHeaderRoom = 16;
/**
 * The message path of one connection; `ConnectionState` is the whole connection.
 *
 * @example
 * ```ts
 * import type { ConnectionTraffic } from "./connection_traffic.ts";
 * const silentFor = (traffic: ConnectionTraffic, now: number): number => now - traffic.lastRead;
 * ```
 */
export abstract class ConnectionTraffic extends ConnectionTasks {
  /** The facade that handlers see. */
  abstract readonly connection: Connection;
  /** The server this connection belongs to. */
  protected readonly server: ServerContext;
  /** The socket. */
  protected readonly socket: TransportSocket;
  /** Made with the first request or signal under a limit (none when unlimited). */
  #limiter: ConcurrencyLimiter | undefined;
  readonly #concurrencyLimit: number;
  // Made when first needed: memory per idle connection is what a server with many clients pays.
  /** Aborted when the connection ends; made with the first request. */
  #abort: AbortController | undefined;
  /** Ids of requests not answered yet: not of those answered while their handler is called. */
  #pendingIds: PendingRequestIds | undefined;
  /** The key of the request whose handler is being called and has not answered yet. */
  #calling: number | string | undefined;
  /** Made when a reply or handler first waits for the socket to drain. */
  #sendBuffer: SendBuffer | undefined;
  #open = true;
  #closing = false;
  /**
   * Why the server decided to close (a violation, a flood, a read timeout): from then on nothing
   * more is read, and the close frame follows the replies of the handlers already running.
   */
  #decided: DisconnectReason | undefined;
  readonly #lastRead = new LastRead(performance.now());
  #site: HandlerSite | undefined;
  /** Made with the first restore- or close-session request. */
  #sessionRequests: SessionRequestIds | undefined;
  /**
   * At least as many bytes as the socket has queued: what it had when last asked plus what was
   * sent since (with `messageRoom` per message). While this bound is under a limit, the queue
   * is too, without asking.
   */
  #queuedAtMost = Infinity;
  /** Frame header room and the socket's `queuedMessageCost`: added for each message sent. */
  protected readonly messageRoom: number;

  /** Takes over the socket's traffic; a `concurrencyLimit` of 0 or less is unlimited. */
  constructor(server: ServerContext, socket: TransportSocket, concurrencyLimit: number) {
    super();
    this.server = server;
    this.socket = socket;
    this.#concurrencyLimit = concurrencyLimit;
    this.messageRoom = frameHeaderRoom + (socket.queuedMessageCost ?? 0);
  }

  get #limits(): ConcurrencyLimiter {
    return this.#limiter ??= new ConcurrencyLimiter(this.#concurrencyLimit);
  }

  /** Made when a reply or a handler first waits for the socket to drain. */
  protected get sendBuffer(): SendBuffer {
    return this.#sendBuffer ??= new SendBuffer(this.socket, this.server.limits.sendHighWaterMark);
  }

  /** Whether at most the high-water mark is queued for the client, or it closes (no wait then). */
  protected isWritable(): boolean {
    return !this.#open || this.#closing ||
      this.#queuedAtMostUnder(this.server.limits.sendHighWaterMark);
  }

  /** Whether the socket has at most `limit` bytes queued, asking it only when unsure. */
  #queuedAtMostUnder(limit: number): boolean {
    if (this.#queuedAtMost <= limit) return true;
    this.#queuedAtMost = this.socket.bufferedAmount;
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

  /**
   * When a frame was last read from the client (`performance.now()` ms): no earlier than the frame,
   * possibly later (see `LastRead`).
   */
  get lastRead(): number {
    return this.#lastRead.asOf(performance.now());
  }

  /** {@link lastRead} for a clock reading `now` taken after the frames read so far. */
  protected lastReadAsOf(now: number): number {
    return this.#lastRead.asOf(now);
  }

  /** How trace lines name this connection: its remote address, or `#` and a number. */
  get tracePeer(): string {
    return tracePeer(this, this.connection.remoteAddress);
  }

  /**
   * Sends raw bytes if the socket is open. Bytes in the scratch buffer are sent before anything
   * else runs (the tracer's sink is user code that could encode the next message over them).
   */
  send(bytes: Uint8Array): void {
    if (!this.#open) return;
    this.socket.send(bytes);
    const answered = this.#sessionRequests?.answeredBy(bytes);
    if (answered !== undefined) this.#pendingIds?.delete(answered);
    if (this.server.tracer !== undefined) this.server.tracer.sent(this.tracePeer, bytes);
    this.#queuedAtMost += bytes.length + this.messageRoom;
    if (!this.#queuedAtMostUnder(this.server.limits.maxSendBuffer)) {
      const queued = this.#queuedAtMost;
      // Closing already: the replies it waits for cannot get through either.
      if (this.#decided !== undefined) return this.closeNow(this.#decided);
      const message = slowReaderMessage(queued, bytes.length, this.server.limits.maxSendBuffer);
      this.violation({ kind: "slow-reader", message }, CloseCode.PolicyViolation);
    }
  }

  /** A frame from the client (a transport event). */
  message(data: Uint8Array | string): void {
    if (!this.#open) return;
    // Also while a decided close waits for running handlers: the close frame waits for a pause.
    this.#lastRead.frame();
    if (this.#decided !== undefined) return;
    const maxSize = this.server.limits.messageBufferSize;
    // A text message too is too big first, as where the runtime or adapter checks the size.
    const size = typeof data === "string" ? utf8Length(data) : data.length;
    if (size > maxSize) {
      return this.violation({
        kind: "too-big",
        message: `message of ${size} bytes exceeds the buffer of ${maxSize}`,
      }, CloseCode.MessageTooBig);
    }
    if (typeof data === "string") {
      return this.violation(
        { kind: "text-frame", message: "text frames are not WebWire messages" },
        CloseCode.UnsupportedData,
      );
    }
    let message;
    try {
      message = decodeMessage(data);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return this.violation(
        { kind: "malformed", message: error.message },
        CloseCode.ProtocolViolation,
      );
    }
    if (this.server.tracer !== undefined) this.server.tracer.received(this.tracePeer, message);
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
        reportViolation(this.server, this.connection, {
          kind: "unexpected-message",
          message: `clients do not send ${message.kind} messages (type ${message.type}); ignored`,
        });
    }
  }

  /** The peer broke the WebSocket protocol (a transport event of adapters with own framing). */
  failed(code: number, reason: string): void {
    if (!this.#open || this.#decided !== undefined) return;
    this.#lastRead.frame();
    const kind = code === CloseCode.MessageTooBig ? "too-big" : "malformed";
    this.violation({ kind, message: reason }, code);
  }

  /** The socket's send buffer drained (a transport event). */
  drained(): void {
    this.#sendBuffer?.drained();
  }

  /** Answers a restore-session or close-session request. */
  protected abstract answerSessionRequest(
    message: RestoreSessionMessage | CloseSessionMessage,
  ): Promise<void>;

  /** Closes at once: the close frame goes out now. */
  protected abstract closeNow(reason: DisconnectReason): void;

  /** Reports a violation of the client and closes the connection for it. */
  protected abstract violation(violation: ProtocolViolation, code: number): void;

  /** Why the server decided to close, once it did: nothing more is read then. */
  protected get decided(): DisconnectReason | undefined {
    return this.#decided;
  }

  /** New requests get the shutdown reply from now on, new signals are dropped. */
  protected refuseWork(decided?: DisconnectReason): void {
    this.#closing = true;
    if (decided !== undefined) this.#decided = decided;
    this.stopDraining();
    // Handlers waiting in `whenWritable` go on (and see `isActive` false): a client that stopped
    // reading would otherwise keep them, and so the close, waiting for good.
    this.#sendBuffer?.stop();
  }

  /** The connection ended: nothing more is sent, waiting replies and handlers are let go. */
  protected endTraffic(): void {
    this.#open = false;
    this.#sendBuffer?.stop();
    this.#abort?.abort(new ConnectionInactiveError("reply"));
  }

  #refusesWork(): boolean {
    return this.#closing || this.server.shuttingDown;
  }

  /** Takes a slot under the concurrency limit if one is free (no limiter when unlimited). */
  #tryTakeSlot(): boolean {
    return this.#concurrencyLimit <= 0 || this.#limits.tryAcquire();
  }

  /** Closes for a request that reuses the id `key` of one still pending; whether it did. */
  #reusesId(key: number | string): boolean {
    if (key !== this.#calling && this.#pendingIds?.has(key) !== true) return false;
    const message = "a request reused the id of a request still pending";
    this.violation({ kind: "duplicate-request-id", message }, CloseCode.ProtocolViolation);
    return true;
  }

  #receiveRequest(message: RequestMessage): void {
    const key = pendingRequestKey(message.bytes);
    if (this.#reusesId(key)) return;
    if (this.#refusesWork()) {
      return this.send(encodeSpecialReply(MessageType.ShutdownReply, message.id));
    }
    if (!this.#startTask()) return;
    if (this.#tryTakeSlot()) return this.#startRequest(message, key, false);
    (this.#pendingIds ??= new PendingRequestIds()).add(key);
    this.#limits.acquire(() => this.#startRequest(message, key, true));
  }

  /** Calls the handler; `listed`: the key is in the table (it waited for a slot), for now. */
  #startRequest(message: RequestMessage, key: number | string, listed: boolean): void {
    if (listed) this.#pendingIds?.delete(key);
    // A request that waited for a slot while its connection closed has nobody to answer.
    if (!this.#open) return this.#endRequest();
    const signal = (this.#abort ??= new AbortController()).signal;
    const outer = this.#calling; // a transport may deliver a message from within a send
    this.#calling = key;
    try {
      callRequestHandler(this.#handlerSite, message, key, signal);
    } finally {
      // Not answered yet (its handler returned a promise): pending until it is.
      const waits = this.#calling === key;
      this.#calling = outer;
      if (waits) (this.#pendingIds ??= new PendingRequestIds()).add(key);
    }
  }

  /** What the handler calls need of this connection. */
  get #handlerSite(): HandlerSite {
    return this.#site ??= handlerSite({
      hooks: this.server.hooks,
      connection: this.connection,
      logger: this.server.handlerLogger,
      copiesOnSend: this.socket.copiesOnSend === true,
      isOpen: () => this.#open,
      answer: (key, reply) => this.#answer(key, reply),
      signalDone: () => {
        this.#limiter?.release();
        this.endTask();
      },
    });
  }

  /** Sends a reply: its id is free at once, its slot once the send buffer is under its limit. */
  #answer(key: number | string, reply: Uint8Array): void {
    const listed = this.#calling !== key; // or answered while its handler was called
    if (!listed) this.#calling = undefined;
    this.send(reply);
    if (listed) this.#pendingIds?.delete(key);
    // Closing: a client that stopped reading must not hold up the requests waiting for a slot.
    if (this.isWritable() || this.#closing) return this.#endRequest();
    this.replySent(this.sendBuffer.writable(), () => this.#limiter?.release());
  }

  /** The request is over (its id is no longer pending). */
  #endRequest(): void {
    this.#limiter?.release();
    this.endTask();
  }

  #receiveSignal(message: SignalMessage): void {
    if (this.#refusesWork()) return;
    if (this.server.hooks.onSignal === undefined) return;
    if (!this.#startTask()) return;
    if (this.#tryTakeSlot()) callSignalHandler(this.#handlerSite, message);
    else this.#limits.acquire(() => callSignalHandler(this.#handlerSite, message));
  }

  /** A session request is pending until a reply with its id is sent (or it is over). */
  #receiveSessionRequest(message: RestoreSessionMessage | CloseSessionMessage): void {
    const key = pendingRequestKey(message.bytes);
    if (this.#reusesId(key)) return;
    if (this.#refusesWork()) {
      return this.send(encodeSpecialReply(MessageType.ShutdownReply, message.id));
    }
    if (!this.#startTask()) return;
    (this.#pendingIds ??= new PendingRequestIds()).add(key);
    const token = (this.#sessionRequests ??= new SessionRequestIds()).add(key);
    void this.answerSessionRequest(message).finally(() => {
      if (this.#sessionRequests!.delete(token)) this.#pendingIds?.delete(key);
      this.endTask();
    });
  }

  #startTask(): boolean {
    if (this.taskCount >= this.server.limits.maxPendingMessages) {
      this.violation({
        kind: "flood",
        message: `more than ${this.server.limits.maxPendingMessages} messages waiting`,
      }, CloseCode.PolicyViolation);
      return false;
    }
    this.startTask();
    return true;
  }
}
