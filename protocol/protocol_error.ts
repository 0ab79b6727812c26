import { WebwireError } from "./webwire_error.ts";

/**
 * Why a byte sequence is not a valid WebWire v2 message.
 *
 * - `empty`: the frame has no bytes.
 * - `unknown-type`: the first byte is no v2 message type.
 * - `too-short`: shorter than the minimum of its type (or of its minimum payload).
 * - `name-overflow`: the name length byte runs past the end of the message.
 * - `code-overflow`: the error code length byte runs past the end of the message.
 * - `utf16-unaligned`: a UTF-16 message of odd total length.
 * - `empty-error-code`: an error reply whose code length is 0.
 * - `bad-length`: a message of fixed length (heartbeat, close session, session closed) of
 *   another length.
 * - `bad-session`: a reply to a restore-session request whose payload is no session JSON (the
 *   client's reaction; {@link decodeMessage} never gives it, as it does not read payloads).
 *
 * @example
 * ```ts
 * import type { ProtocolErrorReason } from "./protocol_error.ts";
 * const r: ProtocolErrorReason = "too-short";
 * console.assert(r === "too-short");
 * ```
 */
export type ProtocolErrorReason =
  | "empty"
  | "unknown-type"
  | "too-short"
  | "name-overflow"
  | "code-overflow"
  | "utf16-unaligned"
  | "empty-error-code"
  | "bad-length"
  | "bad-session";

/**
 * Thrown by {@link decodeMessage} for bytes that are not a valid message; `reason` is stable
 * and machine-readable, `message` says what was expected and what was found.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "./protocol_error.ts";
 * const e = new ProtocolError("empty", "expected at least 1 byte, got 0");
 * console.assert(e instanceof Error && e.reason === "empty");
 * ```
 */
export class ProtocolError extends WebwireError {
  /** Always "ProtocolError", also in minified bundles. */
  override readonly name: string = "ProtocolError";

  /** The stable, machine-readable reason. */
  readonly reason: ProtocolErrorReason;

  /** Creates an error with a reason and a human-readable explanation. */
  constructor(reason: ProtocolErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}
