/**
 * The part of the standard `WebSocket` the client uses, so that any implementation with that
 * shape can be passed in: the global `WebSocket` of Deno, Bun, browsers and Node ≥ 22, or the
 * `WebSocket` class of the `ws` package on Node 20.
 *
 * @example
 * ```ts
 * import { WebSocket as NodeWebSocket } from "ws"; // Node 20 has no global WebSocket
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({ onRequest: (request) => request.payload }));
 * const client = new Client(running.url, { WebSocket: NodeWebSocket });
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * await running.close();
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
 * import { Client, type WebSocketLike } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * // Keeps every socket the client opens, to look at them.
 * const sockets: WebSocketLike[] = [];
 * class KeptWebSocket extends WebSocket {
 *   constructor(url: string) {
 *     super(url);
 *     sockets.push(this);
 *   }
 * }
 * const running = serveDeno(new Server());
 * const client = new Client(running.url, { WebSocket: KeptWebSocket });
 * await client.connect();
 * console.assert(sockets.length === 1 && sockets[0].readyState === WebSocket.OPEN);
 * await client.close();
 * await running.close();
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
 * import type { WebSocketConstructor } from "@webwire/webwire";
 * const pick = (given?: WebSocketConstructor): WebSocketConstructor => given ?? WebSocket;
 * console.assert(pick() === WebSocket);
 * ```
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
