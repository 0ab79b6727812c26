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

// What JSON.stringify leaves as it is but a terminal or log viewer may act on: DEL and the C1
// controls (U+009B starts an escape sequence in some terminals, U+0085 breaks a line), the line
// and paragraph separators, and the bidirectional controls that reorder what is shown.
const unsafe = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The longest reason quoted, in UTF-16 code units: a close frame holds at most 123 bytes. */
const maxReasonLength = 123;

/**
 * The message for a close with `code` and `reason` (as the socket's close event has them; a
 * socket that gives no code gets the plain message). The reason is quoted as JSON, with the
 * characters that could disguise it escaped too, and cut to 123 characters (what a close frame
 * holds; a `WebSocket` of one's own might give more): it is the server's text, not ours.
 *
 * @example
 * ```ts
 * import { closeMessage } from "./close_message.ts";
 * console.assert(closeMessage(1008, "") === "the connection was closed (code 1008)");
 * console.assert(closeMessage(4000, "a\u202eb") === 'the connection was closed (code 4000, "a\\u202eb")');
 * ```
 */
export function closeMessage(code: number | undefined, reason: string | undefined): string {
  if (code === undefined) return "the connection was closed";
  const why = reason !== undefined && reason !== ""
    ? `, ${quoteReason(reason)}`
    : code === 1006
    ? ": ended without a close frame"
    : "";
  return `the connection was closed (code ${code}${why})`;
}

function quoteReason(reason: string): string {
  const cut = reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength)}…` : reason;
  return JSON.stringify(cut).replace(
    unsafe,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
