/**
 * What a client's `DisconnectedError` says of a connection the server (or the network) ended:
 * the close code, and the server's reason when it gave one. Internal to the client.
 *
 * @example
 * ```ts
 * import { closeMessage } from "./close_message.ts";
 * console.assert(closeMessage(1001, "server shutting down") ===
 *   'the connection was closed (code 1001, "server shutting down")');
 * console.assert(closeMessage(1006, "") ===
 *   "the connection was closed (code 1006: ended without a close frame)");
 * ```
 * @module
 */

/**
 * The message for a close with `code` and `reason` (as the socket's close event has them; a
 * socket that gives no code gets the plain message).
 *
 * @example
 * ```ts
 * import { closeMessage } from "./close_message.ts";
 * console.assert(closeMessage(1008, "") === "the connection was closed (code 1008)");
 * ```
 */
export function closeMessage(code: number | undefined, reason: string | undefined): string {
  if (code === undefined) return "the connection was closed";
  const why = reason !== undefined && reason !== ""
    ? `, ${JSON.stringify(reason)}`
    : code === 1006
    ? ": ended without a close frame"
    : "";
  return `the connection was closed (code ${code}${why})`;
}
