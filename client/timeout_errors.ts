/**
 * The errors of a request that got no reply in time: {@link TimeoutError}, and its
 * {@link NotSentError} for one that was never sent. Exported with the client's other errors.
 *
 * @example
 * ```ts
 * import { NotSentError, TimeoutError } from "@webwire/webwire";
 * console.assert(new NotSentError(500) instanceof TimeoutError);
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * A request got no reply within its timeout (including the time it waited for a connection).
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@webwire/webwire";
 * console.assert(new TimeoutError(60000).message.includes("60000 ms"));
 * ```
 */
export class TimeoutError extends WebwireError {
  /** Always "TimeoutError", also in minified bundles. */
  override readonly name: string = "TimeoutError";

  /** The request timeout in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` milliseconds. */
  constructor(timeout: number) {
    super(`no reply within the request timeout of ${timeout} ms`);
    this.timeout = timeout;
  }
}

/**
 * A request that was never sent: the client was not connected within the request's timeout,
 * or (connected) it waited behind `maxRequestsInFlight` requests awaiting their replies. It is
 * a {@link TimeoutError}, so code that handles timeouts handles it too; `cause` is the last
 * failed connect attempt's error, when there was one. Never sent, it is safe to retry.
 *
 * @example
 * ```ts
 * import { NotSentError, TimeoutError } from "@webwire/webwire";
 * const error = new NotSentError(3000, new Error("connection refused"));
 * console.assert(error instanceof TimeoutError);
 * console.assert(error.message.startsWith("the request was never sent: not connected within 3000 ms"));
 * const held = new NotSentError(3000, undefined, 1024);
 * console.assert(held.waitedFor === "slot" && held.message.includes("maxRequestsInFlight"));
 * ```
 */
export class NotSentError extends TimeoutError {
  /** Always "NotSentError", also in minified bundles. */
  override readonly name: string = "NotSentError";
  /**
   * What the request waited for: a connection, or (connected) a free slot among the
   * `maxRequestsInFlight` requests awaiting their replies.
   */
  readonly waitedFor: "connection" | "slot";

  /**
   * Creates the error for a timeout of `timeout` milliseconds and the last connect failure;
   * with `maxRequestsInFlight`, for a request that was connected but found no free slot.
   */
  constructor(timeout: number, cause?: unknown, maxRequestsInFlight?: number) {
    super(timeout);
    if (maxRequestsInFlight !== undefined) {
      this.waitedFor = "slot";
      this.message = `the request was never sent: no free slot within ${timeout} ms (` +
        `${maxRequestsInFlight} requests, the maxRequestsInFlight, awaited their replies)`;
    } else {
      this.waitedFor = "connection";
      const why = cause instanceof Error ? ` (the last attempt: ${cause.message})` : "";
      this.message = `the request was never sent: not connected within ${timeout} ms${why}`;
    }
    if (cause !== undefined) this.cause = cause;
  }
}
