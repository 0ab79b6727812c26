/**
 * The settings of a `DenoWebSocket` (`@webwire/webwire/adapters/deno-websocket`).
 *
 * @module
 */

/**
 * Settings of `DenoWebSocket`s made by `DenoWebSocket.withOptions`.
 *
 * @example
 * ```ts
 * import type { DenoWebSocketOptions } from "@webwire/webwire/adapters/deno-websocket";
 * const options: DenoWebSocketOptions = { maxMessageSize: 1024 * 1024, closeTimeout: 2000 };
 * console.assert(options.closeTimeout === 2000);
 * ```
 */
export interface DenoWebSocketOptions {
  /** CA certificates (PEM) that `wss:` servers are checked against; default Deno's own roots. */
  caCerts?: string[];
  /** The largest message taken, in bytes; a larger one fails the connection. Default 64 MiB. */
  maxMessageSize?: number;
  /**
   * Milliseconds the server gets to end the connection once the closing handshake is done (or
   * to answer the close frame); then the socket ends it. Default 5 000.
   */
  closeTimeout?: number;
  /** Milliseconds the server gets to answer the upgrade request; default 30 000. */
  handshakeTimeout?: number;
}
