/**
 * The part of the standard `WebSocket` the client uses, so that any implementation with that
 * shape can be passed in: the global `WebSocket` of Deno, Bun, browsers and Node ≥ 22, or the
 * `WebSocket` class of the `ws` package on Node 20.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./websocket_like.ts";
 * const constructor: WebSocketConstructor = WebSocket;
 * console.assert(typeof constructor === "function");
 * ```
 * @module
 */

/**
 * A WebSocket as the client drives it. Event handler parameters are typed `never` so that
 * implementations with their own event types (such as `ws`) fit; the client reads only
 * `data` of message events and `code`/`reason` of close events.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from "./websocket_like.ts";
 * const isOpen = (socket: WebSocketLike): boolean => socket.readyState === 1;
 * console.assert(typeof isOpen === "function");
 * ```
 */
export interface WebSocketLike {
  /** Set to `"arraybuffer"` by the client. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /**
   * Sends one binary message: the bytes of the view, which may share its `.buffer` with other
   * messages (send `byteOffset` to `byteOffset + byteLength`, not the whole buffer). The client
   * never changes them afterwards, so they may be kept until written.
   */
  send(data: Uint8Array<ArrayBuffer>): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Called once the connection is open. */
  onopen: ((event: never) => void) | null;
  /** Called for each message; `event.data` is an `ArrayBuffer` or a string. */
  onmessage: ((event: never) => void) | null;
  /** Called once the connection is closed; `event.code` and `event.reason` say why. */
  onclose: ((event: never) => void) | null;
  /** Called when the connection fails. */
  onerror: ((event: never) => void) | null;
}

/**
 * A constructor of {@link WebSocketLike} sockets, such as the global `WebSocket`.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./websocket_like.ts";
 * const pick = (given?: WebSocketConstructor): WebSocketConstructor => given ?? WebSocket;
 * console.assert(pick() === WebSocket);
 * ```
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
