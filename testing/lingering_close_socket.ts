/**
 * Client sockets that stay closing for a while after the server's close frame, as browsers and
 * the `ws` package do until the server ends its TCP connection: `readyState` is `CLOSING` and
 * the close event (with the server's code and reason) comes `holdMs` later. Deno's and Bun's
 * own WebSockets close at once, so a test of what a client does meanwhile runs on these, on
 * both runtimes, against a real server.
 *
 * @example
 * ```ts
 * import { lingeringCloseSockets } from "./lingering_close_socket.ts";
 * import { Client } from "../client.ts";
 * const sockets = lingeringCloseSockets(100);
 * const client = new Client("ws://127.0.0.1:1/", { WebSocket: sockets.WebSocket });
 * console.assert(!sockets.lingering && client.status === "disconnected");
 * await client.close();
 * ```
 * @module
 */

import type { WebSocketConstructor, WebSocketLike } from "../client/websocket_like.ts";

/** `WebSocket.CLOSING`, as a constant. */
const closing = 2;

/**
 * The sockets a client makes with {@link LingeringSockets.WebSocket}.
 *
 * @example
 * ```ts
 * import { type LingeringSockets, lingeringCloseSockets } from "./lingering_close_socket.ts";
 * const sockets: LingeringSockets = lingeringCloseSockets(50);
 * console.assert(sockets.lingering === false); // no socket yet
 * ```
 */
export interface LingeringSockets {
  /** The constructor to give the client as its `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  /** Whether the latest socket has the server's close and holds its close event back. */
  readonly lingering: boolean;
}

/**
 * Makes sockets (over the global `WebSocket`) whose close, when the server closed an open
 * connection, is reported `holdMs` later; meanwhile they say they are closing. A close the
 * client asked for is reported at once.
 *
 * @example
 * ```ts
 * import { lingeringCloseSockets } from "./lingering_close_socket.ts";
 * const sockets = lingeringCloseSockets(200);
 * const socket = new sockets.WebSocket("ws://127.0.0.1:1/");
 * socket.onerror = () => {};
 * socket.close();
 * console.assert(!sockets.lingering);
 * ```
 */
export function lingeringCloseSockets(holdMs: number): LingeringSockets {
  let latest: LingeringCloseSocket | undefined;
  class Tracked extends LingeringCloseSocket {
    constructor(url: string) {
      super(url, holdMs);
      latest = this;
    }
  }
  return {
    WebSocket: Tracked,
    get lingering() {
      return latest?.lingering ?? false;
    },
  };
}

class LingeringCloseSocket implements WebSocketLike {
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  /** Whether the server's close is held back. */
  lingering = false;
  readonly #inner: WebSocket;
  #opened = false;
  #closedByClient = false;

  constructor(url: string, holdMs: number) {
    const inner = this.#inner = new WebSocket(url);
    inner.onopen = (event) => {
      this.#opened = true;
      this.onopen?.(event as never);
    };
    inner.onmessage = (event) => this.onmessage?.(event as never);
    inner.onerror = (event) => this.onerror?.(event as never);
    inner.onclose = (event) => {
      if (!this.#opened || this.#closedByClient) return this.onclose?.(event as never);
      this.lingering = true;
      setTimeout(() => {
        this.lingering = false;
        this.onclose?.(event as never);
      }, holdMs);
    };
  }

  get binaryType(): string {
    return this.#inner.binaryType;
  }

  set binaryType(type: string) {
    this.#inner.binaryType = type as BinaryType;
  }

  get readyState(): number {
    return this.lingering ? closing : this.#inner.readyState;
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    this.#inner.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#closedByClient = true;
    this.#inner.close(code, reason);
  }
}
