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

/**
 * Checks a close code an application gives `connection.close`: `1000`, or one of the codes
 * RFC 6455 leaves to libraries and applications, 3000 to 4999 (4000 is the server's own read
 * timeout: pick another). Returns the code.
 *
 * @throws {RangeError} for any other value.
 *
 * @example
 * ```ts
 * import { applicationCloseCode } from "@webwire/webwire/server";
 * console.assert(applicationCloseCode(4001) === 4001);
 * let refused = false;
 * try {
 *   applicationCloseCode(1011); // reserved for the endpoints themselves
 * } catch (error) {
 *   refused = error instanceof RangeError;
 * }
 * console.assert(refused);
 * ```
 */
export function applicationCloseCode(code: number): number {
  if (code === CloseCode.Normal || (Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    return code;
  }
  throw new RangeError(`close code ${code}: give 1000 or one of 3000 to 4999`);
}
