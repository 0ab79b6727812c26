/**
 * The live server suite's wire-level connection: a plain standard `WebSocket` whose frames are
 * queued raw (never trusting the server to send valid bytes) and decoded only when a check
 * asks, with timeouts that turn into {@link CheckFailure}s.
 *
 * @example
 * ```ts
 * import { SuiteConnection } from "./server_suite_connection.ts";
 * import { startServer } from "../testing/serve.ts";
 * const running = await startServer();
 * const connection = await SuiteConnection.open(running.url, 1000);
 * console.assert((await connection.next("accept-conf")).kind === "accept-conf");
 * connection.send("not a WebWire message"); // a text frame: the server closes
 * const closure = await connection.closedWithin(1000);
 * console.assert(closure !== undefined && closure.code !== 1000);
 * await running.close();
 * ```
 * @module
 */

import { decodeMessage, type Message } from "../protocol/decode.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { hex } from "./server_suite_bytes.ts";
import { CheckFailure } from "./server_suite_failure.ts";
import { WaitQueue } from "./wait_queue.ts";

/**
 * One WebSocket frame as received: bytes for a binary frame, a string for a text frame.
 *
 * @example
 * ```ts
 * import type { Frame } from "./server_suite_connection.ts";
 * const frame: Frame = new Uint8Array([33]);
 * console.assert(frame instanceof Uint8Array);
 * ```
 */
export type Frame = Uint8Array | string;

const heartbeat = new Uint8Array([33]);

/**
 * How a connection closed: the close code (1005 when none was given, 1006 when the TCP
 * connection dropped without a close frame) and reason.
 *
 * @example
 * ```ts
 * import type { Closure } from "./server_suite_connection.ts";
 * const closure: Closure = { code: 1006, reason: "" };
 * console.assert(closure.code === 1006);
 * ```
 */
export interface Closure {
  /** The close code. */
  code: number;
  /** The close reason. */
  reason: string;
}

/**
 * A wire-level connection: raw frames out, raw frames queued in, nothing decoded unless asked.
 *
 * @example
 * ```ts
 * import { SuiteConnection } from "./server_suite_connection.ts";
 * import { conformanceService } from "./service.ts";
 * import { startServer } from "../testing/serve.ts";
 * import { requestIdFromNumber } from "../protocol/request_id.ts";
 * const running = await startServer(conformanceService());
 * const connection = await SuiteConnection.open(running.url, 1000);
 * await connection.next("accept-conf");
 * connection.request(requestIdFromNumber(1), "error", "");
 * const reply = await connection.next("the error reply");
 * console.assert(reply.kind === "error-reply" && reply.codeText === "TEST_ERROR");
 * console.assert(await connection.silentFor(50));
 * connection.close();
 * await running.close();
 * ```
 */
export class SuiteConnection {
  readonly #socket: WebSocket;
  readonly #queue = new WaitQueue<Frame>();
  readonly #timeoutMs: number;
  #closure: Closure | undefined;
  #keepAliveMs: number | undefined;
  #keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<Closure>;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      this.#queue.push(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event: CloseEvent) => {
        this.#closure = { code: event.code, reason: event.reason };
        clearTimeout(this.#keepAliveTimer);
        resolve(this.#closure);
        this.#queue.end();
      });
    });
  }

  /** Opens a socket to `url`; rejects with a {@link CheckFailure} on error or after `timeoutMs`. */
  static open(url: string, timeoutMs: number): Promise<SuiteConnection> {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      return Promise.reject(new CheckFailure(`cannot open a WebSocket to ${url}: ${error}`));
    }
    const connection = new SuiteConnection(socket, timeoutMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new CheckFailure(`WebSocket upgrade not completed within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(connection);
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new CheckFailure(`could not connect to ${url}`));
      };
    });
  }

  /** How the socket closed, or `undefined` while it is open. */
  get closure(): Closure | undefined {
    return this.#closure;
  }

  /** Sends raw bytes as a binary frame, or a string as a text frame. */
  send(data: Uint8Array | string): void {
    this.#socket.send(data as Uint8Array<ArrayBuffer> | string);
    this.#armKeepAlive();
  }

  /**
   * From now on sends a heartbeat whenever it has sent nothing for `readTimeout - readTimeout/4`
   * ms, as the reference client does, so that a check waiting on a slow server does not see the
   * connection closed for a silence of the suite's own.
   */
  keepAlive(readTimeoutMs: number): void {
    this.#keepAliveMs = readTimeoutMs - Math.floor(readTimeoutMs / 4);
    this.#armKeepAlive();
  }

  #armKeepAlive(): void {
    if (this.#keepAliveMs === undefined || this.#closure !== undefined) return;
    clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = setTimeout(() => {
      if (this.#socket.readyState === WebSocket.OPEN) this.send(heartbeat);
    }, this.#keepAliveMs);
  }

  /** Sends a request (for building ids and payloads by hand, see `encodeRequest`). */
  request(
    id: Uint8Array,
    name: string,
    payload: Uint8Array | string,
    encoding?: PayloadEncoding,
  ): void {
    this.send(encodeRequest({ id, name, payload, encoding }));
  }

  /** The next frame; fails after `timeoutMs` or when the socket closed first. */
  async nextFrame(timeoutMs = this.#timeoutMs, waitingFor = "a message"): Promise<Frame> {
    const frame = await this.#queue.next(timeoutMs);
    if (frame !== undefined) return frame;
    if (this.#closure !== undefined) {
      throw new CheckFailure(
        `connection closed (code ${this.#closure.code}) while waiting for ${waitingFor}`,
      );
    }
    throw new CheckFailure(`nothing within ${timeoutMs} ms while waiting for ${waitingFor}`);
  }

  /** The next frame decoded; a text frame or undecodable bytes fail the check. */
  async next(waitingFor = "a message", timeoutMs = this.#timeoutMs): Promise<Message> {
    const frame = await this.nextFrame(timeoutMs, waitingFor);
    if (typeof frame === "string") {
      throw new CheckFailure(`server sent a text frame (${JSON.stringify(frame.slice(0, 40))})`);
    }
    try {
      return decodeMessage(frame);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new CheckFailure(`server sent a malformed message (${error.reason}): ${hex(frame)}`);
    }
  }

  /** Resolves to `true` if no frame arrives within `ms` (and there is none queued). */
  silentFor(ms: number): Promise<boolean> {
    return this.#queue.silentFor(ms);
  }

  /** The closure if the socket closes within `ms`, else `undefined`. */
  async closedWithin(ms: number): Promise<Closure | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    const result = await Promise.race([this.closed, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Closes the socket (harmless when already closed). */
  close(): void {
    clearTimeout(this.#keepAliveTimer);
    if (this.#closure === undefined) this.#socket.close(1000);
  }
}
