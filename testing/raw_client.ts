/**
 * A wire-level WebWire test client: a plain WebSocket that sends bytes and hands out the
 * decoded messages it receives, for tests that check a server byte by byte.
 *
 * @example
 * ```ts
 * import { RawClient } from "./raw_client.ts";
 * console.assert(typeof RawClient.connect === "function");
 * ```
 * @module
 */

import { decodeMessage, type Message } from "../protocol/decode.ts";

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
  readonly #queue: Message[] = [];
  #waiter: (() => void) | undefined;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      const data = event.data;
      if (typeof data === "string") throw new Error(`unexpected text frame: ${data}`);
      this.#queue.push(decodeMessage(new Uint8Array(data as ArrayBuffer)));
      this.#wake();
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.#wake();
      };
    });
  }

  /** Opens a socket to `url`. */
  static connect(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    const client = new RawClient(socket);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(client);
      socket.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
  }

  /** Opens a socket and reads the accept-conf message. */
  static async handshake(url: string): Promise<RawClient> {
    const client = await RawClient.connect(url);
    const first = await client.next();
    if (first.kind !== "accept-conf") throw new Error(`expected accept-conf, got ${first.kind}`);
    return client;
  }

  /** Sends raw bytes, or a text frame for a string. */
  send(data: Uint8Array | string): void {
    this.#socket.send(data as Uint8Array<ArrayBuffer> | string);
  }

  /** The next received message; rejects after `timeoutMs` or when the socket closed. */
  async next(timeoutMs = 2000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length === 0) {
      if (this.#socket.readyState === WebSocket.CLOSED) throw new Error("socket closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#queue.shift()!;
  }

  /** Resolves to `true` if no message arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    if (this.#queue.length > 0) return false;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#queue.length === 0;
  }

  /** Closes the socket. */
  close(code = 1000): void {
    this.#socket.close(code);
  }

  #wake(): void {
    const wake = this.#waiter;
    this.#waiter = undefined;
    wake?.();
  }
}
