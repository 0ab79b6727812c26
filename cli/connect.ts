/**
 * Connecting the `call`, `signal` and `listen` commands: the URL check, a client that does
 * not reconnect (a command line tool should fail, not wait), and the mapping of client errors
 * to exit codes.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./connect.ts";
 * console.assert(checkUrl("ws://127.0.0.1:8080/") === "ws://127.0.0.1:8080/");
 * ```
 * @module
 */

import { Client } from "../client/client.ts";
import {
  ConnectionFailedError,
  DialTimeoutError,
  DisconnectedError,
  IncompatibleProtocolVersionError,
  InternalError,
  MaxSessionConnectionsError,
  MessageTooLargeError,
  SessionNotFoundError,
  SessionsDisabledError,
  ShutdownError,
  SubProtocolMismatchError,
  TimeoutError,
} from "../client/errors.ts";
import type { ServerSignal } from "../client/events.ts";
import { silentLogger } from "../protocol/logger.ts";
import { cliTrace } from "./trace.ts";
import { currentRuntime } from "./runtime.ts";
import { DenoWebSocket } from "../adapters/deno_websocket.ts";
import type { WebSocketConstructor } from "../client/websocket_like.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { RequestError } from "../protocol/request_error.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * Checks that `url` is a `ws:` or `wss:` URL with a host and without a `#fragment` (which the
 * WebSocket constructor refuses).
 *
 * @throws {CliError} with the usage exit code otherwise.
 * @example
 * ```ts
 * import { checkUrl } from "./connect.ts";
 * try {
 *   checkUrl("http://example.com/");
 * } catch (error) {
 *   console.assert((error as { exitCode: number }).exitCode === 2);
 * }
 * try {
 *   checkUrl("ws://example.com/#top");
 * } catch (error) {
 *   console.assert((error as { exitCode: number }).exitCode === 2);
 * }
 * ```
 */
export function checkUrl(url: string | undefined): string {
  if (url === undefined) throw new CliError(ExitCode.Usage, "expected a server URL (ws://...)");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(ExitCode.Usage, `not a URL: "${url}" (expected ws://host:port/path)`);
  }
  if ((parsed.protocol !== "ws:" && parsed.protocol !== "wss:") || parsed.host === "") {
    throw new CliError(
      ExitCode.Usage,
      `expected a ws:// or wss:// URL with a host, got "${url}"`,
    );
  }
  // parsed.hash is "" for a bare trailing "#" too; a "#" can only start the fragment.
  if (url.includes("#")) {
    throw new CliError(ExitCode.Usage, `a WebSocket URL has no #fragment, got "${url}"`);
  }
  return url;
}

/**
 * The exit code and message for an error a client call threw.
 *
 * @example
 * ```ts
 * import { cliErrorOf } from "./connect.ts";
 * import { RequestError } from "@webwire/webwire/protocol";
 * import { MessageTooLargeError } from "@webwire/webwire";
 * const error = cliErrorOf(new RequestError("E_X", "boom"));
 * console.assert(error.exitCode === 1 && error.message === "request error E_X: boom");
 * // A payload larger than the server accepts is a bad value: the usage exit code.
 * console.assert(cliErrorOf(new MessageTooLargeError(9000, 8192)).exitCode === 2);
 * ```
 */
export function cliErrorOf(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof RequestError) {
    return new CliError(ExitCode.Failure, `request error ${error.code}: ${error.message}`);
  }
  if (error instanceof InternalError || error instanceof ShutdownError) {
    return new CliError(ExitCode.Failure, error.message);
  }
  // The server did not answer anything: the payload given was too large for it.
  if (error instanceof MessageTooLargeError) {
    return new CliError(ExitCode.Usage, `payload too large: ${error.message}`);
  }
  if (error instanceof TimeoutError) return new CliError(ExitCode.Timeout, error.message);
  // Connected, then the connection went: not a failure to connect (the same exit code).
  if (error instanceof DisconnectedError && !(error instanceof ConnectionFailedError)) {
    return new CliError(
      ExitCode.Unreachable,
      `lost the connection to the server: ${error.message}`,
    );
  }
  if (
    error instanceof DialTimeoutError || error instanceof DisconnectedError ||
    error instanceof IncompatibleProtocolVersionError ||
    error instanceof SubProtocolMismatchError || error instanceof ProtocolError
  ) {
    return new CliError(ExitCode.Unreachable, `cannot connect to the server: ${error.message}`);
  }
  if (error instanceof RangeError) return new CliError(ExitCode.Usage, error.message);
  return new CliError(ExitCode.Failure, error instanceof Error ? error.message : String(error));
}

/**
 * Options of {@link connectClient}.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "./connect.ts";
 * const options: ConnectOptions = { timeout: 5000 };
 * console.assert(options.onSignal === undefined);
 * ```
 */
export interface ConnectOptions {
  /** Milliseconds for the connection and each request. */
  timeout: number;
  /** Called for each server signal. */
  onSignal?: (signal: ServerSignal) => void;
  /** Called once if the connection is lost after it was made. */
  onLost?: (error: DisconnectedError) => void;
  /** The sub-protocol the server must announce; default none. */
  subProtocol?: string;
  /** The key of a session to restore once connected, before anything else is sent. */
  session?: string;
  /** Gives up connecting (and restoring) when aborted: the client is closed. */
  abort?: AbortSignal;
}

/** The server's answer to a restore that failed, said as such (exit code 1). */
function restoreErrorOf(error: unknown, key: string): CliError {
  if (
    error instanceof SessionNotFoundError || error instanceof MaxSessionConnectionsError ||
    error instanceof SessionsDisabledError
  ) {
    return new CliError(ExitCode.Failure, `cannot restore session ${key}: ${error.message}`);
  }
  // The restore carries nothing but the key: the key is what was too large.
  if (error instanceof MessageTooLargeError) {
    return new CliError(ExitCode.Usage, `session key too long: ${error.message}`);
  }
  return cliErrorOf(error);
}

/**
 * Connects a client without automatic reconnection and, given `session`, restores that
 * session on it.
 *
 * @throws {CliError} with the exit code for what went wrong (1 when the server refused to
 *   restore the session).
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { connectClient } from "./connect.ts";
 * import type { CliError } from "./exit_codes.ts";
 * const running = serveDeno(new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: (request) => request.payload,
 * }));
 * const client = await connectClient(running.url, { timeout: 2000 });
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * const options = { timeout: 2000, session: "no-such-session" };
 * const refused = await connectClient(running.url, options).catch((e: CliError) => e.exitCode);
 * console.assert(refused === 1); // the server refused to restore that session
 * await running.close();
 * ```
 */
export async function connectClient(url: string, options: ConnectOptions): Promise<Client> {
  let connected = false;
  const client = new Client(url, {
    WebSocket: await cliWebSocket(),
    autoconnect: false,
    dialTimeout: options.timeout,
    requestTimeout: options.timeout,
    subProtocol: options.subProtocol,
    logger: silentLogger,
    trace: cliTrace(),
    onSignal: options.onSignal,
    onDisconnected: (error) => {
      if (connected) options.onLost?.(error);
    },
  });
  const giveUp = (): void => void client.close();
  options.abort?.addEventListener("abort", giveUp, { once: true });
  try {
    if (options.abort?.aborted) throw new CliError(ExitCode.Failure, "gave up connecting");
    try {
      await client.connect();
    } catch (error) {
      await client.close();
      // Lost before the handshake was done: it could not connect.
      if (error instanceof DisconnectedError) {
        throw new CliError(ExitCode.Unreachable, `cannot connect to the server: ${error.message}`);
      }
      throw cliErrorOf(error);
    }
    connected = true;
    if (options.session !== undefined) {
      try {
        await client.restoreSession(options.session);
      } catch (error) {
        await client.close();
        throw restoreErrorOf(error, options.session);
      }
    }
  } finally {
    options.abort?.removeEventListener("abort", giveUp);
  }
  return client;
}

/**
 * The WebSocket the CLI's client uses: on Deno `DenoWebSocket` (Deno's own client socket waits
 * ~40 ms on Nagle for a second message or a larger one), else the runtime's own, and on Node 20,
 * which has none, the `ws` package's (loaded only then).
 */
async function cliWebSocket(): Promise<WebSocketConstructor> {
  if (currentRuntime() === "deno") return DenoWebSocket;
  const own = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (own !== undefined) return own;
  const { WebSocket } = await import("ws");
  return WebSocket as unknown as WebSocketConstructor;
}
