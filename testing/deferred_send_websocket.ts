/**
 * The global `WebSocket` with a `send` that keeps the caller's bytes and writes them on a later
 * task, in order, as the `ws` package does while it compresses an earlier message: a client
 * that changed the bytes of a message after sending it (a reused buffer) would put the changed
 * bytes on the wire, and tests with this socket would see it.
 *
 * @example
 * ```ts
 * import { DeferredSendWebSocket } from "./deferred_send_websocket.ts";
 * import { Client } from "../client/client.ts";
 * const client = new Client("ws://127.0.0.1:1/", { WebSocket: DeferredSendWebSocket, autoconnect: false });
 * console.assert(client.status === "disconnected");
 * ```
 * @module
 */

/**
 * A `WebSocket` whose `send` holds the view it is given (no copy) and sends it on a later task.
 *
 * @example
 * ```ts
 * import { DeferredSendWebSocket } from "./deferred_send_websocket.ts";
 * const socket = new DeferredSendWebSocket("ws://127.0.0.1:1/");
 * socket.onerror = () => {};
 * socket.close();
 * ```
 */
export class DeferredSendWebSocket extends WebSocket {
  readonly #held: Uint8Array<ArrayBuffer>[] = [];

  /** Holds `data` (the view itself) and sends it, with any held before it, on a later task. */
  override send(data: Uint8Array<ArrayBuffer>): void {
    if (this.#held.push(data) === 1) setTimeout(() => this.#flush(), 0);
  }

  #flush(): void {
    const held = this.#held.splice(0);
    if (this.readyState !== WebSocket.OPEN) return;
    for (const bytes of held) super.send(bytes);
  }
}
