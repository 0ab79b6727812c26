/**
 * The WebSocket close codes the server uses, one per reason a connection ends, so that a peer
 * and the `onClientDisconnected` hook can tell them apart.
 *
 * @example
 * ```ts
 * import { CloseCode } from "@webwire/webwire/server";
 * console.assert(CloseCode.ProtocolViolation === 1002);
 * ```
 * @module
 */

/**
 * Close codes sent by the server.
 *
 * - `Normal` (1000): `connection.close()`.
 * - `GoingAway` (1001): the server shuts down.
 * - `ProtocolViolation` (1002): a malformed or unknown message, or a request id reused while
 *   its request is still pending.
 * - `UnsupportedData` (1003): a text frame (WebWire uses binary frames only).
 * - `PolicyViolation` (1008): too many messages waiting for a handler (a flood), or too many
 *   bytes waiting to be sent to a client that does not read (a slow reader).
 * - `MessageTooBig` (1009): a message larger than the server's message buffer size.
 * - `ReadTimeout` (4000): nothing was read from the client for longer than the read timeout.
 *
 * @example
 * ```ts
 * import { CloseCode } from "@webwire/webwire/server";
 * console.assert(CloseCode.ReadTimeout === 4000);
 * ```
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolViolation: 1002,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  ReadTimeout: 4000,
} as const;
