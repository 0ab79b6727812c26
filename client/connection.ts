/**
 * One WebSocket connection of a client: dialing with a timeout, the accept-conf handshake,
 * decoding of incoming frames, the local size check and heartbeat of outgoing ones, and a
 * single report of how the connection ended.
 *
 * @example
 * ```ts
 * import { Connection } from "./connection.ts";
 * import { DisconnectedError } from "@webwire/webwire";
 * const options = { WebSocket, dialTimeout: 5000, subProtocol: "" };
 * const handlers = { onMessage() {}, onClose() {} };
 * // Nothing listens on port 1: the dial fails, and the client's keeper would retry.
 * const error = await Connection.open("ws://127.0.0.1:1/", options, handlers).catch((e) => e);
 * console.assert(error instanceof DisconnectedError);
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import type { Tracer } from "../protocol/trace.ts";
import { encodeHeartbeat } from "../protocol/encode_control_message.ts";
import type { AcceptConfMessage, Message } from "../protocol/message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { closeMessage } from "./close_message.ts";
import { dialFailure } from "./dial_failure.ts";
import { frameBytes } from "./frame_bytes.ts";
import {
  ConnectionFailedError,
  DialTimeoutError,
  DisconnectedError,
  MessageTooLargeError,
} from "./errors.ts";
import { verifyAcceptConf } from "./accept_conf_check.ts";
import { Heartbeat, heartbeatInterval } from "./heartbeat.ts";
import { timerDelay } from "./timer_delay.ts";
import type { WebSocketConstructor, WebSocketLike } from "./websocket_like.ts";

/**
 * How to open a connection.
 *
 * @example
 * ```ts
 * import type { DialOptions } from "./connection.ts";
 * const options: DialOptions = { WebSocket, dialTimeout: 5000, subProtocol: "" };
 * console.assert(options.dialTimeout === 5000);
 * ```
 */
export interface DialOptions {
  /** The URL to dial when it is not the `url` that names the server (it holds a token, say). */
  address?: string;
  /** The WebSocket implementation. */
  WebSocket: WebSocketConstructor;
  /** Milliseconds allowed for the open and the accept-conf; `Infinity` for no limit. */
  dialTimeout: number;
  /** The sub-protocol the server must announce ("" for none). */
  subProtocol: string;
  /** Aborts the dial (the client was closed). */
  signal?: AbortSignal;
  /**
   * Called once the socket is made, with a promise that resolves once it has closed, whether
   * the dial succeeds or not: what the client's `close()` waits for while a dial is under way.
   */
  dialing?(closed: Promise<void>): void;
  /** Writes the debug trace; absent when tracing is off. */
  tracer?: Tracer;
}

/**
 * What a connection reports to its owner once it is established.
 *
 * @example
 * ```ts
 * import { Connection, type ConnectionHandlers } from "./connection.ts";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server());
 * const ended = Promise.withResolvers<string>();
 * const handlers: ConnectionHandlers = {
 *   onMessage: (message) => console.log("got a", message.kind),
 *   onClose: (error) => ended.resolve(`${error.name} ${"code" in error ? error.code : ""}`),
 * };
 * await Connection.open(running.url, { WebSocket, dialTimeout: 5000, subProtocol: "" }, handlers);
 * await running.close(); // the server shuts down: its connections close with 1001
 * console.assert((await ended.promise) === "DisconnectedError 1001");
 * ```
 */
export interface ConnectionHandlers {
  /** A well-formed message arrived. */
  onMessage(message: Message): void;
  /**
   * The connection ended, reported once: a `ProtocolError` when the server sent a malformed
   * message or a text frame (the client then closed the connection), else a
   * `DisconnectedError`.
   */
  onClose(error: ProtocolError | DisconnectedError): void;
}

// Browsers and Deno let a client close only with 1000 or 3000 to 4999, so a protocol
// violation is told by the reason, not by code 1002.
const normalClosure = 1000;
/** `WebSocket.OPEN`, as a constant: a socket given as an option need not have the static. */
const socketOpen = 1;
const protocolViolation = "protocol violation";

interface CloseEventLike {
  code?: number;
  reason?: string;
}

interface MessageEventLike {
  data?: unknown;
}

/**
 * An established connection that has passed the handshake.
 *
 * @example
 * ```ts
 * import { Connection } from "./connection.ts";
 * import { decodeText, encodeRequest, type Message, requestIdFromNumber } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({ onRequest: (request) => request.payload }));
 * const reply = Promise.withResolvers<Message>();
 * const connection = await Connection.open(
 *   running.url,
 *   { WebSocket, dialTimeout: 5000, subProtocol: "" },
 *   { onMessage: (message) => reply.resolve(message), onClose: () => {} },
 * );
 * connection.send(encodeRequest({ id: requestIdFromNumber(1), name: "echo", payload: "hi" }));
 * const message = await reply.promise;
 * const text = message.kind === "reply" ? decodeText(message.payload, message.encoding) : "";
 * console.assert(text === "hi");
 * connection.close();
 * await connection.closed;
 * await running.close();
 * ```
 */
export class Connection {
  /** The server's read timeout in milliseconds (from its accept-conf). */
  readonly readTimeout: number;
  /** The largest message the server accepts, in bytes (0: no limit announced). */
  readonly messageBufferSize: number;
  /** The server's protocol version as `major.minor`. */
  readonly version: string;
  /** Resolves once the socket has closed. */
  readonly closed: Promise<void>;

  readonly #socket: WebSocketLike;
  readonly #handlers: ConnectionHandlers;
  readonly #heartbeat: Heartbeat;
  readonly #tracer: Tracer | undefined;
  readonly #url: string;
  #ended = false;
  #endError: ProtocolError | DisconnectedError | undefined;

  private constructor(
    socket: WebSocketLike,
    conf: AcceptConfMessage,
    handlers: ConnectionHandlers,
    closed: Promise<void>,
    url: string,
    tracer: Tracer | undefined,
  ) {
    this.#socket = socket;
    this.#url = url;
    this.#tracer = tracer;
    this.#handlers = handlers;
    this.readTimeout = conf.readTimeoutMs;
    this.messageBufferSize = conf.messageBufferSize;
    this.version = `${conf.major}.${conf.minor}`;
    this.closed = closed;
    this.#heartbeat = new Heartbeat(heartbeatInterval(conf.readTimeoutMs), () => {
      try {
        const heartbeat = encodeHeartbeat();
        if (this.#tracer !== undefined) this.#tracer.sent(this.#url, heartbeat);
        this.#socket.send(heartbeat as Uint8Array<ArrayBuffer>);
      } catch (error) {
        this.#end(new DisconnectedError("sending a heartbeat failed", { cause: error }));
      }
    });
    socket.onmessage = (event: MessageEventLike) => this.#receive(event.data);
    socket.onclose = (event: CloseEventLike) =>
      this.#end(
        new DisconnectedError(closeMessage(event.code, event.reason), {
          code: event.code,
          reason: event.reason,
        }),
      );
    socket.onerror = () => this.#end(new DisconnectedError("the connection failed"));
  }

  /**
   * Opens a WebSocket to `url` (or `options.address`), waits for the accept-conf and verifies
   * it. Rejects with a `DialTimeoutError`, `IncompatibleProtocolVersionError`,
   * `SubProtocolMismatchError`, `ProtocolError` (malformed or unexpected first message) or
   * `DisconnectedError` (the socket failed or closed first, or `options.signal` aborted); the
   * socket is closed then.
   */
  static open(
    url: string,
    options: DialOptions,
    handlers: ConnectionHandlers,
  ): Promise<Connection> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new DisconnectedError("the client was closed", { cause: options.signal.reason }));
        return;
      }
      let resolveClosed!: () => void;
      const closed = new Promise<void>((done) => resolveClosed = done);
      let socket: WebSocketLike;
      try {
        socket = new options.WebSocket(options.address ?? url);
      } catch (error) {
        reject(error);
        return;
      }
      options.dialing?.(closed);
      socket.binaryType = "arraybuffer";
      let settled = false;
      const fail = (error: Error, reason = ""): void => {
        if (settled) return;
        settled = true;
        cleanup();
        socket.onmessage = null;
        try {
          socket.close(normalClosure, reason);
        } catch {
          // Closing a socket that never opened may throw; it is gone either way.
        }
        reject(error);
      };
      let opened = false;
      socket.onopen = () => opened = true;
      const timer = options.dialTimeout === Infinity ? undefined : setTimeout(
        () => fail(new DialTimeoutError(options.dialTimeout, opened)),
        timerDelay(options.dialTimeout),
      );
      const onAbort = (): void =>
        fail(new DisconnectedError("the client was closed", { cause: options.signal?.reason }));
      options.signal?.addEventListener("abort", onAbort);
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      socket.onclose = (event: CloseEventLike) => {
        resolveClosed();
        if (!opened) return fail(new ConnectionFailedError(url));
        fail(
          new DisconnectedError(
            `the socket to ${url} opened but closed before an accept-conf arrived` +
              ` (code ${event.code ?? "none"}): is this a WebWire endpoint?`,
            { code: event.code, reason: event.reason },
          ),
        );
      };
      socket.onerror = (event: unknown) =>
        fail(
          opened
            ? new DisconnectedError(`the connection to ${url} failed before the accept-conf`)
            : new ConnectionFailedError(url, dialFailure(event)),
        );
      socket.onmessage = (event: MessageEventLike) => {
        const bytes = frameBytes(event.data);
        if (bytes instanceof ProtocolError) return fail(bytes, protocolViolation);
        let message: Message;
        try {
          message = decodeMessage(bytes);
        } catch (error) {
          return fail(error as ProtocolError, protocolViolation);
        }
        if (options.tracer !== undefined) options.tracer.received(url, message);
        if (message.kind !== "accept-conf") {
          return fail(
            new ProtocolError(
              "unknown-type",
              `expected accept-conf (type 23) as the first message, got type ${message.type}`,
            ),
            protocolViolation,
          );
        }
        const mismatch = verifyAcceptConf(message, options.subProtocol);
        if (mismatch !== null) return fail(mismatch);
        settled = true;
        cleanup();
        const connection = new Connection(socket, message, handlers, closed, url, options.tracer);
        // The constructor replaced onclose; the closed promise must still resolve.
        const onclose = socket.onclose as (event: CloseEventLike) => void;
        socket.onclose = (event: CloseEventLike) => {
          resolveClosed();
          onclose(event);
        };
        resolve(connection);
      };
    });
  }

  /** Whether the connection can still send. */
  get isOpen(): boolean {
    return !this.#ended;
  }

  /** Why the connection ended, as `onClose` reported it; `undefined` while it is open. */
  get endError(): ProtocolError | DisconnectedError | undefined {
    return this.#endError;
  }

  /**
   * Whether a message sent now would be written: the connection has not ended and its socket is
   * not closing (the server's close frame has come, and a socket drops what is sent then).
   */
  get writable(): boolean {
    return !this.#ended && this.#socket.readyState === socketOpen;
  }

  /**
   * Sends one message; `now` is `performance.now()` if the caller read it already (for the
   * heartbeat).
   *
   * @throws {MessageTooLargeError} when it is larger than the server's message buffer.
   * @throws {DisconnectedError} when the connection has ended or its socket is closing.
   */
  send(bytes: Uint8Array, now?: number): void {
    if (this.#ended) throw new DisconnectedError();
    // Closing: the socket would drop it without a word.
    if (this.#socket.readyState !== socketOpen) {
      throw new DisconnectedError("not sent: the connection is closing");
    }
    if (this.messageBufferSize > 0 && bytes.length > this.messageBufferSize) {
      throw new MessageTooLargeError(bytes.length, this.messageBufferSize);
    }
    if (this.#tracer !== undefined) this.#tracer.sent(this.#url, bytes);
    try {
      this.#socket.send(bytes as Uint8Array<ArrayBuffer>);
    } catch (error) {
      const disconnected = new DisconnectedError("sending failed", { cause: error });
      this.#end(disconnected);
      throw disconnected;
    }
    this.#heartbeat.touch(now);
  }

  /** Closes the connection; `onClose` reports `error` (default: closed by the client). */
  close(
    error: ProtocolError | DisconnectedError = new DisconnectedError(
      "the connection was closed by the client",
    ),
  ): void {
    this.#end(error);
  }

  #receive(data: unknown): void {
    if (this.#ended) return;
    const bytes = frameBytes(data);
    if (bytes instanceof ProtocolError) return this.#end(bytes);
    let message: Message;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      return this.#end(error as ProtocolError);
    }
    if (this.#tracer !== undefined) this.#tracer.received(this.#url, message);
    this.#handlers.onMessage(message);
  }

  #end(error: ProtocolError | DisconnectedError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    this.#heartbeat.stop();
    this.#socket.onmessage = null;
    // Not null: `ws` goes on reading while the close handshake runs and emits 'error' for a bad
    // frame then (invalid UTF-8, say), which kills a Node process when nothing listens.
    this.#socket.onerror = ignoreError;
    if (this.#socket.readyState < 2) {
      try {
        this.#socket.close(normalClosure, error instanceof ProtocolError ? protocolViolation : "");
      } catch {
        // Already closing.
      }
    }
    this.#handlers.onClose(error);
  }
}

/** The error handler of an ended socket: its errors no longer matter but must be caught. */
function ignoreError(): void {}
