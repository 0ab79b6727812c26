/**
 * The options of a {@link Client} and their defaults.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from "@webwire/webwire";
 * const options: ClientOptions = { requestTimeout: 10_000, autoconnect: false };
 * console.assert(options.autoconnect === false);
 * ```
 * @module
 */

import { givenNumber } from "../protocol/value_kind.ts";
import { guardedLogger } from "../protocol/guarded_logger.ts";
import type { Logger } from "../protocol/logger.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import { createTracer, type Tracer, type TraceSetting } from "../protocol/trace.ts";
import { type BackoffOptions, resolveBackoff } from "./backoff.ts";
import type { ClientHooks } from "./events.ts";
import { type HeldSignalLimits, resolveHeldSignalLimits } from "./held_events.ts";
import type { SessionStorage } from "./session_storage.ts";
import type { WebSocketConstructor } from "./websocket_like.ts";

/**
 * Options of a {@link Client}; all are optional.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from "@webwire/webwire";
 * const options: ClientOptions = {
 *   subProtocol: "chat",
 *   reconnect: { maxDelay: 30_000 },
 *   onSignal: (signal) => console.log(signal.name, signal.payload.text()),
 * };
 * console.assert(options.subProtocol === "chat");
 * ```
 */
export interface ClientOptions extends ClientHooks {
  /**
   * The WebSocket implementation; default the global `WebSocket` (Deno, Bun, browsers,
   * Node ≥ 22). On Node 20 pass `WebSocket` from the `ws` package.
   */
  WebSocket?: WebSocketConstructor;
  /** The sub-protocol name the server must announce; default "" (none). */
  subProtocol?: string;
  /**
   * Keep a connection: reconnect in the background after a connection is lost or an attempt
   * fails, and let requests made while disconnected wait for the connection (up to their
   * timeout). Default `true`. When `false`, requests and signals fail at once without a
   * connection.
   */
  autoconnect?: boolean;
  /**
   * Whether a request made while the client is not connected waits for the connection (up
   * to its timeout, then it rejects with a `NotSentError`); default `true`. When `false` it
   * rejects at once with a `DisconnectedError`, and (with `autoconnect`) the client still
   * connects in the background. Each request can override it.
   */
  waitForConnection?: boolean;
  /**
   * Default request timeout in milliseconds; default 60 000. `Infinity` for none. A timeout
   * longer than a timer can run (2^31 − 1 ms, about 24.8 days) is waited for in several.
   * Anything but a number above 0 (0, a negative number, `NaN`) is refused with a `RangeError`
   * when the client is made: 0 means "none" to some APIs and "at once" to others.
   *
   * The session restore on each new connection waits at most twice the server's read timeout
   * (its accept-conf says it; two minutes when it says none), even with `Infinity`: a server
   * that never answers it must not hold the reconnect up for good. That connect attempt then
   * fails with a `TimeoutError` and the next one, after the backoff, restores again.
   */
  requestTimeout?: number;
  /**
   * Milliseconds a connection may stay silent (nothing at all received from the server) while
   * requests sent on it wait for their replies, before the client takes it for dead: it drops
   * the connection (the requests on it reject with a `DisconnectedError` saying so, and
   * `disconnected` fires with it) and, under `autoconnect`, dials again. Seen within a quarter
   * more than this. Default `Infinity`: off, and a link that went silent without closing (a
   * phone changing networks, a half-open TCP connection) stays `connected` until the operating
   * system ends it, its requests failing by their timeouts. Set it below `requestTimeout`, and
   * above the time the server's slowest handler takes plus the time the largest reply takes to
   * arrive (a reply still arriving is silence: a `WebSocket` hands over whole messages only);
   * refused with a `RangeError` as `requestTimeout` is.
   */
  silenceTimeout?: number;
  /**
   * Timeout for opening a connection and receiving the accept-conf, in ms; default 5 000.
   * `Infinity` for none; refused with a `RangeError` as `requestTimeout` is.
   */
  dialTimeout?: number;
  /**
   * Spacing of reconnection attempts; defaults: 250 ms, factor 2, at most 10 s. No delay is
   * shorter than 10 ms, and caps below 10 ms grow from 10 ms: `initialDelay: 0` does not spin.
   */
  reconnect?: Partial<BackoffOptions>;
  /**
   * Asked under `autoconnect` before each automatic retry, with why the client is not connected:
   * the error of the failed connect attempt (a `ConnectionFailedError` whose `status` is 401, say)
   * or the `DisconnectedError` of the lost connection (with the server's close `code` and
   * `reason`). `false` stops the retries, as a handshake error does: the client stays
   * `disconnected`, `connectfailed` says `retryDelay: null` (or `disconnected` fires with
   * `client.status` `disconnected`, not `connecting`), and requests waiting for a connection
   * reject with that error. A later `connect()` or request dials again; once connected, the
   * client reconnects as before. Not asked after a handshake error (never retried), nor
   * without `autoconnect`. A hook that throws counts as `true` (the retries go on) and is
   * logged (its 1st, 10th, 100th, ... throw). Default: always retry.
   *
   * @example
   * ```ts
   * import { ConnectionFailedError, DisconnectedError } from "@webwire/webwire";
   * import type { ClientOptions } from "@webwire/webwire";
   * const options: ClientOptions = {
   *   // Stop on a refused token (HTTP 401) and when the server kicked us (close code 4001).
   *   shouldRetry: (error) =>
   *     !(error instanceof ConnectionFailedError && error.status === 401) &&
   *     !(error instanceof DisconnectedError && error.code === 4001),
   * };
   * console.assert(options.shouldRetry?.(new DisconnectedError("kicked", { code: 4001 })) === false);
   * ```
   */
  shouldRetry?: (error: Error) => boolean;
  /**
   * Called before each dial (the first and every retry) with the client's `url`; returns the URL
   * to dial, checked as the constructor checks `url`: for a token that must be fresh on every
   * reconnect, since a browser's `WebSocket` sends no headers of ours. `signal` aborts when the
   * client is closed or the hook outlasts `dialTimeout`. A throw, a rejection, a bad URL or no
   * answer within `dialTimeout` fails that attempt with a `DisconnectedError` that says so (the
   * hook's error as its `cause`), which is retried like any failed dial. `close()` does not wait
   * for it. The dial that follows has a `dialTimeout` of its own. `client.url`, error messages
   * and the trace keep the base URL, so a token in the dialed one is not written out.
   *
   * @example
   * ```ts
   * import type { ClientOptions } from "@webwire/webwire";
   * const getToken = (signal: AbortSignal) => Promise.resolve(signal.aborted ? "" : "t-42");
   * const options: ClientOptions = {
   *   dialUrl: async (url, signal) => `${url}?token=${await getToken(signal)}`,
   * };
   * const url = await options.dialUrl?.("ws://127.0.0.1:8080/", new AbortController().signal);
   * console.assert(url === "ws://127.0.0.1:8080/?token=t-42");
   * ```
   */
  dialUrl?: (url: string, signal: AbortSignal) => string | URL | Promise<string | URL>;
  /**
   * Bounds of the signals held while a new connection restores its session (they fire right
   * after `connected`): default 1024 signals and 2 MiB of names and payloads. Past either one
   * the oldest held signal is dropped and the drop logged (`warn`: the 1st, 10th, 100th, ...).
   *
   * @example
   * ```ts
   * import type { ClientOptions } from "@webwire/webwire";
   * const options: ClientOptions = { heldSignals: { maxCount: 64, maxBytes: 65_536 } };
   * console.assert(options.heldSignals?.maxBytes === 65_536);
   * ```
   */
  heldSignals?: HeldSignalLimits;
  /**
   * Requests sent at most and awaiting their replies on a connection; default 1024. Further
   * requests wait in order and go out as replies come (their timeout counts meanwhile), so
   * that many requests (made while disconnected, say) never exceed a server's flood limit (its
   * `maxPendingMessages`, 4096 by default) at once. A session restore is not held back.
   * `Infinity` for no bound; anything but a whole number ≥ 1 is a `RangeError`.
   *
   * @example
   * ```ts
   * import type { ClientOptions } from "@webwire/webwire";
   * const options: ClientOptions = { maxRequestsInFlight: 100 }; // a server with a lower limit
   * console.assert(options.maxRequestsInFlight === 100);
   * ```
   */
  maxRequestsInFlight?: number;
  /** Persists the session key across restarts; off by default. */
  sessionStorage?: SessionStorage;
  /** Where to report problems; default `console`. */
  logger?: Logger;
  /**
   * A debug trace of every message sent and received, one line each
   * (`webwire:client ws://127.0.0.1:8080/ → request id=1 name="echo" 2 B`): `true`,
   * `"payloads"` (adds the start of each payload), or `false`; or an object of `payloads`,
   * `payloadLimit` (default 64 bytes) and `sink`. Lines go to the logger's `debug`
   * (`console.debug` when it has none) unless a `sink` is given. Default: the `WEBWIRE_TRACE`
   * environment variable (`1` or `payloads`; read in Deno only with `--allow-env`), in browsers
   * `localStorage.webwireTrace`, read once when the client is made; else off.
   */
  trace?: TraceSetting;
}

/**
 * Options of one request.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@webwire/webwire";
 * const options: RequestOptions = { timeout: 1000, signal: AbortSignal.timeout(500) };
 * console.assert(options.timeout === 1000);
 * ```
 */
export interface RequestOptions {
  /**
   * Timeout in milliseconds, counted from the call; default the client's `requestTimeout`.
   * `Infinity` for none. Anything but a number above 0 (0, a negative number, `NaN`) makes
   * the request reject with a `RangeError`, unsent.
   */
  timeout?: number;
  /** Cancels the request: it rejects at once with a `CanceledError`. */
  signal?: AbortSignal;
  /** Overrides the client's `waitForConnection` for this request. */
  waitForConnection?: boolean;
  /**
   * The payload's encoding; default `utf8` for a string, `binary` for bytes. A string is
   * written as UTF-16LE for `utf16`, else as UTF-8; bytes are sent as they are, marked with it.
   */
  encoding?: PayloadEncoding;
}

/**
 * Options of one signal.
 *
 * @example
 * ```ts
 * import type { SignalOptions } from "@webwire/webwire";
 * const options: SignalOptions = { encoding: "utf16" };
 * console.assert(options.encoding === "utf16");
 * ```
 */
export interface SignalOptions {
  /**
   * The payload's encoding; default `utf8` for a string, `binary` for bytes. A string is
   * written as UTF-16LE for `utf16`, else as UTF-8; bytes are sent as they are, marked with it.
   */
  encoding?: PayloadEncoding;
}

/**
 * The client options that have defaults, with the defaults filled in.
 *
 * @example
 * ```ts
 * import type { ResolvedClientOptions } from "./options.ts";
 * type Timeout = ResolvedClientOptions["requestTimeout"];
 * const timeout: Timeout = 1000;
 * console.assert(timeout === 1000);
 * ```
 */
export interface ResolvedClientOptions {
  /** The WebSocket implementation. */
  readonly WebSocket: WebSocketConstructor;
  /** The sub-protocol name the server must announce. */
  readonly subProtocol: string;
  /** Whether to keep a connection. */
  readonly autoconnect: boolean;
  /** Whether requests wait for a connection. */
  readonly waitForConnection: boolean;
  /** Default request timeout in milliseconds. */
  readonly requestTimeout: number;
  /** Timeout for opening a connection, in milliseconds. */
  readonly dialTimeout: number;
  /** How long a connection may be silent while requests wait, in ms; `Infinity`: off. */
  readonly silenceTimeout: number;
  /** Spacing of reconnection attempts. */
  readonly reconnect: BackoffOptions;
  /** Whether to retry after `error`; `undefined`: always. */
  readonly shouldRetry: ((error: Error) => boolean) | undefined;
  /** Gives the URL to dial; `undefined`: the client's own. */
  readonly dialUrl: ClientOptions["dialUrl"];
  /** Bounds of the signals held while a new connection restores its session. */
  readonly heldSignals: Required<HeldSignalLimits>;
  /** Requests sent at most and awaiting their replies. */
  readonly maxRequestsInFlight: number;
  /** Where to report problems. */
  readonly logger: Logger;
  /** Writes the debug trace; `undefined` when tracing is off. */
  readonly tracer: Tracer | undefined;
}

/**
 * Fills in the defaults of `options`.
 *
 * @throws {TypeError} when there is no global `WebSocket` and none is given.
 * @throws {RangeError} for a bad `reconnect` or `heldSignals` option, a `maxRequestsInFlight`
 * that is not a whole number ≥ 1, or a `requestTimeout`, `dialTimeout` or `silenceTimeout` that
 * is not a number above 0 (see {@link checkTimeout}).
 *
 * @example
 * ```ts
 * import { resolveClientOptions } from "./options.ts";
 * const resolved = resolveClientOptions({ WebSocket, dialTimeout: 1000 });
 * console.assert(resolved.dialTimeout === 1000 && resolved.requestTimeout === 60_000);
 * ```
 */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const WebSocketImpl = options.WebSocket ??
    (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) {
    throw new TypeError(
      "this runtime has no global WebSocket; pass one as options.WebSocket (e.g. from the ws package)",
    );
  }
  const logger = guardedLogger(options.logger ?? console);
  return {
    WebSocket: WebSocketImpl,
    subProtocol: options.subProtocol ?? "",
    autoconnect: options.autoconnect ?? true,
    waitForConnection: options.waitForConnection ?? true,
    requestTimeout: checkTimeout(options.requestTimeout ?? 60_000, "requestTimeout"),
    dialTimeout: checkTimeout(options.dialTimeout ?? 5_000, "dialTimeout"),
    silenceTimeout: checkTimeout(options.silenceTimeout ?? Infinity, "silenceTimeout"),
    reconnect: resolveBackoff(options.reconnect),
    shouldRetry: options.shouldRetry,
    dialUrl: options.dialUrl,
    heldSignals: resolveHeldSignalLimits(options.heldSignals),
    maxRequestsInFlight: checkInFlight(options.maxRequestsInFlight ?? 1024),
    logger,
    // The tracer writes to the given logger's own `debug`, which the guard does not have.
    tracer: createTracer("client", options.trace, options.logger ?? console),
  };
}

/**
 * Checks a timeout: milliseconds above 0, or `Infinity` for none. 0 is refused too, because
 * some APIs read it as "no timeout" and others as "time out at once".
 *
 * @throws {RangeError} for 0, a negative number, `NaN` or what is not a number.
 *
 * @example
 * ```ts
 * import { checkTimeout } from "./options.ts";
 * console.assert(checkTimeout(1500, "timeout") === 1500);
 * console.assert(checkTimeout(Infinity, "timeout") === Infinity);
 * let refused = "";
 * try {
 *   checkTimeout(Number("5s"), "requestTimeout");
 * } catch (error) {
 *   refused = (error as RangeError).message;
 * }
 * console.assert(refused.startsWith("requestTimeout must be"));
 * ```
 */
export function checkTimeout(value: number, name: string): number {
  if (typeof value === "number" && value > 0) return value;
  throw new RangeError(
    `${name} must be a number of milliseconds above 0 (Infinity for none), got ` +
      givenNumber(value),
  );
}

function checkInFlight(value: number): number {
  if (value >= 1 && (Number.isInteger(value) || value === Infinity)) return value;
  throw new RangeError(
    `maxRequestsInFlight must be a whole number ≥ 1 (Infinity for none), got ${givenNumber(value)}`,
  );
}
