/**
 * The settings of a transport that frames WebSockets itself on a TCP connection it owns (the
 * Deno adapter on `Deno.listen`, the Node adapter).
 *
 * @example
 * ```ts
 * import type { FramedSocketOptions } from "./framed_socket_options.ts";
 * const options: FramedSocketOptions = { maxMessageSize: 8192, closeTimeout: 5000 };
 * console.assert(options.maxMessageSize === 8192);
 * ```
 * @module
 */

/**
 * How large a message may be and how long the answer to a peer's close may take.
 *
 * @example
 * ```ts
 * import type { FramedSocketOptions } from "./framed_socket_options.ts";
 * // What the adapters pass: the server's own limits.
 * const fromLimits = (limits: { messageBufferSize: number; closeTimeout: number }) =>
 *   ({ maxMessageSize: limits.messageBufferSize, closeTimeout: limits.closeTimeout }) satisfies
 *     FramedSocketOptions;
 * console.assert(fromLimits({ messageBufferSize: 8192, closeTimeout: 5000 }).maxMessageSize === 8192);
 * ```
 */
export interface FramedSocketOptions {
  /** The largest message taken, in bytes; a larger one fails the connection with 1009. */
  maxMessageSize: number;
  /**
   * Milliseconds a connection the peer closed may take to end once its close frame has been
   * answered; default 5 000. (Closes the server decides have the core's deadline.)
   */
  closeTimeout?: number;
}

/**
 * How many bytes a transport that frames WebSockets itself reads from the peer after its own
 * close frame went out, while waiting for the peer's close: beyond this it stops reading, and
 * the close deadline ends the connection. A peer that keeps sending instead of closing (a
 * slow reader that floods) cannot make the server read and drop data until the deadline; a
 * peer that answers the close has its close frame read long before.
 *
 * @example
 * ```ts
 * import { readAfterCloseLimit } from "./framed_socket_options.ts";
 * const readSinceClose = 3 * 1024 * 1024;
 * console.assert(readSinceClose > readAfterCloseLimit); // the transport stops reading here
 * ```
 */
export const readAfterCloseLimit: number = 1024 * 1024;

/**
 * From how many bytes waiting to be written a transport that frames WebSockets itself stops
 * answering pings at once: it keeps the latest ping's payload and answers it when the output
 * drains (RFC 6455, section 5.5.3, lets a pong answer only the most recent ping). A peer that
 * floods pings and never reads cannot make the server hold more than this in pongs.
 *
 * @example
 * ```ts
 * import { pongBacklogLimit } from "./framed_socket_options.ts";
 * const waiting = 200 * 1024; // a client that stopped reading its replies
 * console.assert(waiting >= pongBacklogLimit); // its next pong waits for the drain
 * ```
 */
export const pongBacklogLimit: number = 64 * 1024;
