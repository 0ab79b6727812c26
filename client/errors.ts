/**
 * The errors a {@link Client} rejects with. Each one is a class so that callers can tell them
 * apart with `instanceof`; all of them extend {@link WebwireError}. Error replies with a code
 * reject with the protocol's {@link RequestError}, malformed server messages with its
 * {@link ProtocolError}.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@webwire/webwire";
 * import { WebwireError } from "@webwire/webwire/protocol";
 * const error = new TimeoutError(1000);
 * console.assert(error instanceof WebwireError && error.timeout === 1000);
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";
import type { DialFailure, DialFailureKind } from "./dial_failure.ts";
import { abortReasonText } from "./abort_reason_text.ts";

export { NotSentError, TimeoutError } from "./timeout_errors.ts";

/**
 * The server failed to handle the request (reply type 2); the details stay on the server.
 *
 * @example
 * ```ts
 * import { InternalError } from "@webwire/webwire";
 * console.assert(new InternalError().name === "InternalError");
 * ```
 */
export class InternalError extends WebwireError {
  /** Always "InternalError", also in minified bundles. */
  override readonly name: string = "InternalError";

  /** Creates the error. */
  constructor(message = "the server failed to handle the request (internal error)") {
    super(message);
  }
}

/**
 * The server is shutting down and took no new request (reply type 1).
 *
 * @example
 * ```ts
 * import { ShutdownError } from "@webwire/webwire";
 * console.assert(new ShutdownError().message.includes("shutting down"));
 * ```
 */
export class ShutdownError extends WebwireError {
  /** Always "ShutdownError", also in minified bundles. */
  override readonly name: string = "ShutdownError";

  /** Creates the error. */
  constructor(message = "the server is shutting down and refused the request") {
    super(message);
  }
}

/**
 * The server knows no session with the key that was to be restored (reply type 3).
 *
 * @example
 * ```ts
 * import { SessionNotFoundError } from "@webwire/webwire";
 * console.assert(new SessionNotFoundError().name === "SessionNotFoundError");
 * ```
 */
export class SessionNotFoundError extends WebwireError {
  /** Always "SessionNotFoundError", also in minified bundles. */
  override readonly name: string = "SessionNotFoundError";

  /** Creates the error. */
  constructor(message = "the server found no session with this key") {
    super(message);
  }
}

/**
 * The session already has as many connections as the server allows (reply type 4).
 *
 * @example
 * ```ts
 * import { MaxSessionConnectionsError } from "@webwire/webwire";
 * console.assert(new MaxSessionConnectionsError().name === "MaxSessionConnectionsError");
 * ```
 */
export class MaxSessionConnectionsError extends WebwireError {
  /** Always "MaxSessionConnectionsError", also in minified bundles. */
  override readonly name: string = "MaxSessionConnectionsError";

  /** Creates the error. */
  constructor(message = "the session has reached the server's maximum number of connections") {
    super(message);
  }
}

/**
 * The server has sessions disabled (reply type 5).
 *
 * @example
 * ```ts
 * import { SessionsDisabledError } from "@webwire/webwire";
 * console.assert(new SessionsDisabledError().name === "SessionsDisabledError");
 * ```
 */
export class SessionsDisabledError extends WebwireError {
  /** Always "SessionsDisabledError", also in minified bundles. */
  override readonly name: string = "SessionsDisabledError";

  /** Creates the error. */
  constructor(message = "the server has sessions disabled") {
    super(message);
  }
}

/**
 * The client has no connection: it was never connected, the connection dropped, a dial
 * failed, or the client was closed. When a WebSocket close frame was seen, `code` and
 * `reason` are its close code and reason; `cause` holds the error that ended the connection
 * when there was one.
 *
 * @example
 * ```ts
 * import { DisconnectedError } from "@webwire/webwire";
 * const error = new DisconnectedError("connection lost", { code: 1006 });
 * console.assert(error.code === 1006 && error.reason === "");
 * ```
 */
export class DisconnectedError extends WebwireError {
  /** Always "DisconnectedError", also in minified bundles. */
  override readonly name: string = "DisconnectedError";

  /** The WebSocket close code, when the connection was closed with one. */
  readonly code?: number;
  /** The WebSocket close reason ("" when none). */
  readonly reason: string;

  /** Creates the error; `details` carries the close code and reason and the cause. */
  constructor(
    message = "the client is not connected",
    details: { code?: number; reason?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.code !== undefined) this.code = details.code;
    this.reason = details.reason ?? "";
  }
}

/**
 * The WebSocket could not be opened; `kind` (and `status`) say why, as far as the runtime tells
 * (Deno, Bun and the `ws` package do; browsers do not).
 *
 * @example
 * ```ts
 * import { ConnectionFailedError, DisconnectedError } from "@webwire/webwire";
 * const error = new ConnectionFailedError("ws://127.0.0.1:1/", {
 *   kind: "refused",
 *   detail: "connect ECONNREFUSED 127.0.0.1:1",
 *   text: "connection refused (is the server running?)",
 * });
 * console.assert(error instanceof DisconnectedError && error.kind === "refused");
 * console.assert(error.message === "could not connect to ws://127.0.0.1:1/: connection refused (is the server running?)");
 * ```
 */
export class ConnectionFailedError extends DisconnectedError {
  /** Always "ConnectionFailedError", also in minified bundles. */
  override readonly name: string = "ConnectionFailedError";

  /** Why: `refused`, `http-status`, `dns`, `tls`, `network` or `unknown`. */
  readonly kind: DialFailureKind;
  /** The HTTP status of a refused WebSocket upgrade. */
  readonly status?: number;
  /** The runtime's own message ("" when it gave none). */
  readonly detail: string;

  /** Creates the error for a failed dial of `url`. */
  constructor(url: string, failure?: DialFailure) {
    super(`could not connect to ${url}${failure === undefined ? "" : `: ${failure.text}`}`);
    this.kind = failure?.kind ?? "unknown";
    if (failure?.status !== undefined) this.status = failure.status;
    this.detail = failure?.detail ?? "";
  }
}

/**
 * No connection was established within the dial timeout (WebSocket open and accept-conf).
 * `opened` tells whether the WebSocket opened: then the peer sent no accept-conf, which a
 * WebWire server sends at once, so the URL is likely not a WebWire endpoint.
 *
 * @example
 * ```ts
 * import { DialTimeoutError } from "@webwire/webwire";
 * console.assert(new DialTimeoutError(5000).timeout === 5000);
 * console.assert(new DialTimeoutError(5000, true).message.includes("is this a WebWire endpoint?"));
 * ```
 */
export class DialTimeoutError extends WebwireError {
  /** Always "DialTimeoutError", also in minified bundles. */
  override readonly name: string = "DialTimeoutError";

  /** The dial timeout in milliseconds. */
  readonly timeout: number;
  /** Whether the WebSocket opened (and only the accept-conf was missing). */
  readonly opened: boolean;
  /** Creates the error for a timeout of `timeout` milliseconds. */
  constructor(timeout: number, opened = false) {
    super(
      opened
        ? `the socket opened but no accept-conf arrived within ${timeout} ms: ` +
          "is this a WebWire endpoint?"
        : `no connection within the dial timeout of ${timeout} ms`,
    );
    this.timeout = timeout;
    this.opened = opened;
  }
}

/**
 * A request was canceled through its `AbortSignal`; `cause` is the signal's reason, which the
 * message names too (unless it is the default `AbortError`, which says nothing more).
 *
 * @example
 * ```ts
 * import { CanceledError } from "@webwire/webwire";
 * const error = new CanceledError("user left");
 * console.assert(error.cause === "user left");
 * console.assert(error.message === "the request was canceled: user left");
 * const plain = new AbortController();
 * plain.abort();
 * console.assert(new CanceledError(plain.signal.reason).message === "the request was canceled");
 * ```
 */
export class CanceledError extends WebwireError {
  /** Always "CanceledError", also in minified bundles. */
  override readonly name: string = "CanceledError";

  /** Creates the error with the abort reason as its `cause`. */
  constructor(reason?: unknown) {
    const why = abortReasonText(reason);
    super(`the request was canceled${why === "" ? "" : `: ${why}`}`, { cause: reason });
  }
}

/**
 * The server speaks another major version of the protocol than 2.
 *
 * @example
 * ```ts
 * import { IncompatibleProtocolVersionError } from "@webwire/webwire";
 * const error = new IncompatibleProtocolVersionError(1, 4);
 * console.assert(error.major === 1 && error.minor === 4);
 * ```
 */
export class IncompatibleProtocolVersionError extends WebwireError {
  /** Always "IncompatibleProtocolVersionError", also in minified bundles. */
  override readonly name: string = "IncompatibleProtocolVersionError";

  /** The server's major version. */
  readonly major: number;
  /** The server's minor version. */
  readonly minor: number;
  /** Creates the error for the version the server announced. */
  constructor(major: number, minor: number) {
    super(`expected protocol version 2.x, the server speaks ${major}.${minor}`);
    this.major = major;
    this.minor = minor;
  }
}

/**
 * The server's sub-protocol name differs from the client's `subProtocol` option.
 *
 * @example
 * ```ts
 * import { SubProtocolMismatchError } from "@webwire/webwire";
 * const error = new SubProtocolMismatchError("chat", "");
 * console.assert(error.expected === "chat" && error.actual === "");
 * ```
 */
export class SubProtocolMismatchError extends WebwireError {
  /** Always "SubProtocolMismatchError", also in minified bundles. */
  override readonly name: string = "SubProtocolMismatchError";

  /** The client's sub-protocol ("" for none). */
  readonly expected: string;
  /** The server's sub-protocol ("" for none). */
  readonly actual: string;
  /** Creates the error for the two names. */
  constructor(expected: string, actual: string) {
    super(
      `expected sub-protocol ${JSON.stringify(expected)}, the server speaks ${
        JSON.stringify(actual)
      }`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A message is larger than the server's message buffer (from its accept-conf), so the client
 * refused to send it.
 *
 * @example
 * ```ts
 * import { MessageTooLargeError } from "@webwire/webwire";
 * const error = new MessageTooLargeError(9000, 8192);
 * console.assert(error.size === 9000 && error.limit === 8192);
 * ```
 */
export class MessageTooLargeError extends WebwireError {
  /** Always "MessageTooLargeError", also in minified bundles. */
  override readonly name: string = "MessageTooLargeError";

  /** The encoded message size in bytes. */
  readonly size: number;
  /** The server's message buffer size in bytes. */
  readonly limit: number;
  /** Creates the error for a message of `size` bytes and a limit of `limit` bytes. */
  constructor(size: number, limit: number) {
    super(`the message is ${size} bytes, the server accepts at most ${limit}`);
    this.size = size;
    this.limit = limit;
  }
}

/**
 * `restoreSession` was called while the client already has a session (a connection holds at
 * most one).
 *
 * @example
 * ```ts
 * import { SessionActiveError } from "@webwire/webwire";
 * console.assert(new SessionActiveError().name === "SessionActiveError");
 * ```
 */
export class SessionActiveError extends WebwireError {
  /** Always "SessionActiveError", also in minified bundles. */
  override readonly name: string = "SessionActiveError";

  /** Creates the error. */
  constructor(message = "the client already has a session; close it before restoring another") {
    super(message);
  }
}
