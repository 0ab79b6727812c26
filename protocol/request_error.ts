/**
 * The error a request handler throws to send an error reply (type 0), and the error a client's
 * request rejects with when it receives one.
 *
 * @example
 * ```ts
 * import { RequestError } from "./request_error.ts";
 * const e = new RequestError("NOT_FOUND", "no such user");
 * console.assert(e.code === "NOT_FOUND" && e.message === "no such user");
 * ```
 * @module
 */

import { assertPrintableAscii } from "./text.ts";
import { WebwireError } from "./webwire_error.ts";

/**
 * A request failed with an application error: a code (1 to 255 printable ASCII characters)
 * and a message.
 *
 * @example
 * ```ts
 * import { RequestError } from "./request_error.ts";
 * try {
 *   throw new RequestError("FORBIDDEN", "admins only");
 * } catch (error) {
 *   console.assert(error instanceof RequestError && error.code === "FORBIDDEN");
 * }
 * ```
 */
export class RequestError extends WebwireError {
  /** Always "RequestError", also in minified bundles. */
  override readonly name: string = "RequestError";

  /** The machine-readable error code. */
  readonly code: string;

  /**
   * Creates an error with a code and a message.
   *
   * @throws {RangeError} when the code is empty, longer than 255 characters or not printable
   * ASCII (it could not be sent).
   */
  constructor(code: string, message = "") {
    super(message);
    if (code.length === 0) throw new RangeError("an error code needs 1 to 255 characters, got 0");
    assertPrintableAscii(code, "error code");
    this.code = code;
  }
}
