/**
 * Why a connection ended, as the `onClientDisconnected` hook receives it.
 *
 * @example
 * ```ts
 * import type { DisconnectReason } from "@webwire/webwire/server";
 * const reason: DisconnectReason = { kind: "client-closed", code: 1000, message: "bye" };
 * console.assert(reason.kind === "client-closed");
 * ```
 * @module
 */

/**
 * The kinds of disconnect:
 *
 * - `client-closed`: the client closed the socket (or the network dropped it).
 * - `server-closed`: `connection.close()` was called.
 * - `shutdown`: the server shut down.
 * - `read-timeout`: the client was silent for longer than the read timeout.
 * - `protocol-violation`: a malformed or unknown message, a text frame, or a reused request id.
 * - `message-too-big`: a message larger than the message buffer size.
 * - `flood`: more messages waiting for a handler than `maxPendingMessages`.
 * - `slow-reader`: more bytes queued for the client than `maxSendBuffer`.
 *
 * @example
 * ```ts
 * import type { DisconnectKind } from "@webwire/webwire/server";
 * const kind: DisconnectKind = "read-timeout";
 * console.assert(kind === "read-timeout");
 * ```
 */
export type DisconnectKind =
  | "client-closed"
  | "server-closed"
  | "shutdown"
  | "read-timeout"
  | "protocol-violation"
  | "message-too-big"
  | "flood"
  | "slow-reader";

/**
 * A disconnect: its kind, the WebSocket close code and a human-readable message.
 *
 * @example
 * ```ts
 * import type { DisconnectReason } from "@webwire/webwire/server";
 * const reason: DisconnectReason = { kind: "read-timeout", code: 4000, message: "silent" };
 * console.assert(reason.code === 4000);
 * ```
 */
export interface DisconnectReason {
  /** What ended the connection. */
  readonly kind: DisconnectKind;
  /** The WebSocket close code (the peer's for `client-closed`, ours otherwise). */
  readonly code: number;
  /** Details: the close reason, or what was wrong with the client's input. */
  readonly message: string;
}
