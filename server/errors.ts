/**
 * Errors that the server's `Connection` methods throw to handlers.
 *
 * @example
 * ```ts
 * import { ConnectionInactiveError } from "@webwire/webwire/server";
 * console.assert(new ConnectionInactiveError("signal").message.includes("signal"));
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * The connection is closed (or closing for good), so the operation cannot reach the client.
 *
 * @example
 * ```ts
 * import { ConnectionInactiveError } from "@webwire/webwire/server";
 * const error = new ConnectionInactiveError("createSession");
 * console.assert(error.name === "ConnectionInactiveError");
 * ```
 */
export class ConnectionInactiveError extends WebwireError {
  /** Always "ConnectionInactiveError", also in minified bundles. */
  override readonly name: string = "ConnectionInactiveError";

  /** Names the operation that could not be done. */
  constructor(operation: string) {
    super(`${operation}: the connection is no longer active`);
  }
}

/**
 * A session could not be created: sessions are disabled on this server, or the connection
 * already has one (a connection holds at most one session).
 *
 * @example
 * ```ts
 * import { SessionUnavailableError } from "@webwire/webwire/server";
 * const error = new SessionUnavailableError("exists", "the connection already has a session");
 * console.assert(error.reason === "exists");
 * ```
 */
export class SessionUnavailableError extends WebwireError {
  /** Always "SessionUnavailableError", also in minified bundles. */
  override readonly name: string = "SessionUnavailableError";

  /** `disabled` or `exists`. */
  readonly reason: "disabled" | "exists";
  /** Creates the error with its reason and an explanation. */
  constructor(reason: "disabled" | "exists", message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * `createSession` refused a session whose session-created notification alone would count more
 * than the server's `maxSendBuffer` (its info is too large): sending it would close the
 * connection as a slow reader, and every restore of the session would too. Nothing was stored;
 * the connection can create a smaller session.
 *
 * @example
 * ```ts
 * import { SessionTooLargeError } from "@webwire/webwire/server";
 * const error = new SessionTooLargeError(9000, 8192);
 * console.assert(error.size === 9000 && error.limit === 8192);
 * console.assert(error.message.includes("maxSendBuffer (8192)"));
 * ```
 */
export class SessionTooLargeError extends WebwireError {
  /** Always "SessionTooLargeError", also in minified bundles. */
  override readonly name: string = "SessionTooLargeError";

  /** What the notification counts against the limit, in bytes (frame and per-message cost). */
  readonly size: number;
  /** The server's `maxSendBuffer` in bytes. */
  readonly limit: number;
  /** Creates the error for a notification counting `size` bytes and a limit of `limit`. */
  constructor(size: number, limit: number) {
    super(
      `createSession: the session-created message counts ${size} bytes, more than ` +
        `maxSendBuffer (${limit}) allows; nothing was stored (store less in the session info)`,
    );
    this.size = size;
    this.limit = limit;
  }
}

/**
 * A `Server` that was shut down was given to an adapter to serve: it would refuse every
 * connection (HTTP 503). Make a new `Server` instead.
 *
 * @example
 * ```ts
 * import { Server, ServerShutDownError } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * const server = new Server({ sessionsEnabled: false });
 * await server.shutdown();
 * try {
 *   serveDeno(server);
 * } catch (error) {
 *   console.assert(error instanceof ServerShutDownError);
 * }
 * ```
 */
export class ServerShutDownError extends WebwireError {
  /** Always "ServerShutDownError", also in minified bundles. */
  override readonly name: string = "ServerShutDownError";

  /** Creates the error, naming the adapter that was asked to serve. */
  constructor(adapter: string) {
    super(`${adapter}: this Server was shut down and cannot serve again; make a new Server`);
  }
}

/**
 * Throws a {@link ServerShutDownError} when `server` was shut down (called by the adapters
 * before they listen).
 *
 * @example
 * ```ts
 * import { Server, assertServable } from "@webwire/webwire/server";
 * assertServable(new Server({ sessionsEnabled: false }), "myAdapter"); // a new server: fine
 * ```
 */
export function assertServable(
  server: { readonly isShuttingDown: boolean },
  adapter: string,
): void {
  if (server.isShuttingDown) throw new ServerShutDownError(adapter);
}
