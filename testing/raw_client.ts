/**
 * A wire-level WebWire test client: a plain WebSocket that sends bytes and hands out the
 * decoded messages it receives, for tests that check a server byte by byte.
 *
 * @example
 * ```ts
 * import { RawClient } from "./raw_client.ts";
 * import { startServer } from "./serve.ts";
 * import { encodeRequest } from "../protocol/encode_payload_message.ts";
 * import { requestIdFromNumber } from "../protocol/request_id.ts";
 * const running = await startServer({ onRequest: (request) => request.payload });
 * const client = await RawClient.handshake(running.url); // read the accept-conf
 * client.send(encodeRequest({ id: requestIdFromNumber(1), name: "echo", payload: "hi" }));
 * const reply = await client.next();
 * console.assert(reply.kind === "reply" && reply.type === 192); // a UTF-8 reply
 * client.close();
 * await client.closed;
 * await running.close();
 * ```
 * @module
 */

import { decodeMessage, type Message } from "../protocol/decode.ts";
import { WaitQueue } from "../conformance/wait_queue.ts";

/**
 * How a socket closed.
 *
 * @example
 * ```ts
 * import type { CloseInfo } from "./raw_client.ts";
 * const info: CloseInfo = { code: 1000, reason: "" };
 * console.assert(info.code === 1000);
 * ```
 */
export interface CloseInfo {
  /** The close code. */
  code: number;
  /** The close reason. */
  reason: string;
}

/**
 * Options of {@link RawClient.connect}.
 *
 * @example
 * ```ts
 * import type { RawClientOptions } from "./raw_client.ts";
 * const options: RawClientOptions = { WebSocket: globalThis.WebSocket };
 * console.assert(options.WebSocket !== undefined);
 * ```
 */
export interface RawClientOptions {
  /**
   * The WebSocket class; default the global one. Node 20 has none: pass `ws`'s, which has the
   * parts of the standard interface the client uses (`binaryType`, the `on*` handlers).
   */
  WebSocket?: typeof WebSocket;
}

/**
 * A WebSocket whose incoming binary messages are decoded and queued.
 *
 * @example
 * ```ts
 * import { RawClient } from "./raw_client.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer();
 * const client = await RawClient.connect(running.url);
 * console.assert((await client.next()).kind === "accept-conf");
 * client.close();
 * await running.close();
 * ```
 */
export class RawClient {
  readonly #socket: WebSocket;
  readonly #queue = new WaitQueue<Message>();
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      const data = event.data;
      if (typeof data === "string") throw new Error(`unexpected text frame: ${data}`);
      this.#queue.push(decodeMessage(new Uint8Array(data as ArrayBuffer)));
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.#queue.end();
      };
    });
  }

  /** Opens a socket to `url`. */
  static connect(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const socket = new (options.WebSocket ?? WebSocket)(url);
    const client = new RawClient(socket);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(client);
      socket.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
  }

  /** Opens a socket and reads the accept-conf message. */
  static async handshake(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const client = await RawClient.connect(url, options);
    const first = await client.next();
    if (first.kind !== "accept-conf") throw new Error(`expected accept-conf, got ${first.kind}`);
    return client;
  }

  /** Sends raw bytes, or a text frame for a string. */
  send(data: Uint8Array | string): void {
    this.#socket.send(data as Uint8Array<ArrayBuffer> | string);
  }

  /** The next received message; rejects after `timeoutMs` or when the socket closed. */
  async next(timeoutMs = 10_000): Promise<Message> {
    const message = await this.#queue.next(timeoutMs);
    if (message !== undefined) return message;
    throw new Error(this.#queue.ended ? "socket closed" : `no message within ${timeoutMs} ms`);
  }

  /** Resolves to `true` if no message arrives within `ms`. */
  silentFor(ms: number): Promise<boolean> {
    return this.#queue.silentFor(ms);
  }

  /** Closes the socket. */
  close(code = 1000): void {
    this.#socket.close(code);
  }
}
