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
