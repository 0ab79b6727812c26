/**
 * The floor of the client benchmark: what a hand-written WebWire client must do at least for a
 * request with a promised reply over a plain WebSocket. It waits for the accept-conf (without
 * checking it), writes each request frame into a new exact-size array (type 127, an
 * incrementing little-endian id, the name given as bytes once, the payload), sends it, and
 * resolves the request's promise with a view of the reply's payload, found by id in a `Map`.
 * No timeout, no validation, no reconnects: everything `Client` adds on top is its overhead.
 *
 * @module
 */

import type { WebSocketConstructor, WebSocketLike } from "../../client/websocket_like.ts";

/** A request/reply connection written by hand. */
export class RawClient {
  readonly #socket: WebSocketLike;
  readonly #waiting = new Map<number, (payload: Uint8Array) => void>();
  #nextId = 1;

  private constructor(socket: WebSocketLike) {
    this.#socket = socket;
    socket.onmessage = ((event: { data: ArrayBuffer }) => {
      const bytes = new Uint8Array(event.data);
      const id = (bytes[1] | (bytes[2] << 8) | (bytes[3] << 16)) + bytes[4] * 0x1000000;
      const resolve = this.#waiting.get(id);
      if (resolve === undefined) return;
      this.#waiting.delete(id);
      resolve(bytes.subarray(9));
    }) as never;
  }

  /** Opens a socket to `url` and resolves once the server's first message (accept-conf) came. */
  static open(WebSocket: WebSocketConstructor, url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.binaryType = "arraybuffer";
      socket.onerror = (() => reject(new Error(`raw socket to ${url} failed`))) as never;
      socket.onmessage = (() => resolve(new RawClient(socket))) as never;
    });
  }

  /** Sends a binary request named by `name` (bytes) and resolves with the reply's payload. */
  request(name: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
    const id = this.#nextId++;
    const frame = new Uint8Array(10 + name.length + payload.length);
    frame[0] = 127;
    frame[1] = id;
    frame[2] = id >>> 8;
    frame[3] = id >>> 16;
    frame[4] = id >>> 24;
    frame[9] = name.length;
    frame.set(name, 10);
    frame.set(payload, 10 + name.length);
    this.#socket.send(frame);
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }

  /** Closes the socket. */
  close(): void {
    this.#socket.close(1000, "");
  }
}
