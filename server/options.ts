/**
 * Options of a {@link Server}: hooks and limits, with the reference server's defaults.
 *
 * @example
 * ```ts
 * import type { ServerOptions } from "@webwire/webwire/server";
 * const options: ServerOptions = { readTimeout: 30_000, onRequest: (r) => r.payload };
 * console.assert(options.readTimeout === 30_000);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Payload } from "../protocol/payload.ts";
import type { TraceSetting } from "../protocol/trace.ts";
import type { Session, SessionKeyGenerator, SessionManager } from "../session/session_manager.ts";
import type { Cluster, ClusterMessage } from "./cluster.ts";
import type { Connection } from "./connection.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";
import type { IncomingRequest, IncomingSignal, ReplyValue } from "./incoming.ts";
import type { OfflineDropReason, OfflineSignalLimits } from "./offline_signals.ts";
import type { ConnectionOptions } from "./transport.ts";

/**
 * A signal kept for a session no connection held, then dropped, as the server's
 * `onOfflineSignalDropped` hook gets it.
 *
 * @example
 * ```ts
 * import { Server, type DroppedSignal } from "@webwire/webwire/server";
 * const lost: { key: string; signal: DroppedSignal }[] = [];
 * const server = new Server({
 *   offlineSignals: { maxCount: 1 },
 *   onOfflineSignalDropped: (key, _reason, signal) => lost.push({ key, signal }),
 * });
 * server.signalSession("a key nobody holds", "news", "first");
 * server.signalSession("a key nobody holds", "news", "second"); // the first one goes
 * console.assert(lost[0].signal.name === "news" && lost[0].signal.payload.text() === "first");
 * await server.shutdown();
 * ```
 */
export interface DroppedSignal {
  /** The signal's name (`""` for none). */
  readonly name: string;
  /** Its payload, in the encoding it was sent with. */
  readonly payload: Payload;
}

/**
 * A client's input that broke the protocol without ending the connection, or that ended it.
 *
 * @example
 * ```ts
 * import type { ProtocolViolation } from "@webwire/webwire/server";
 * const v: ProtocolViolation = { kind: "unexpected-message", message: "a reply from a client" };
 * console.assert(v.kind === "unexpected-message");
 * ```
 */
export interface ProtocolViolation {
  /**
   * `malformed` (not a valid message: closes), `text-frame` (closes), `too-big` (closes),
   * `duplicate-request-id` (closes), `flood` (closes), `unexpected-message` (a well-formed
   * message that clients do not send, such as a reply: ignored, as by the reference),
   * `slow-reader` (more than `maxSendBuffer` bytes queued for the client, or a message to it
   * that the runtime dropped: Bun past its `backpressureLimit`; closes).
   */
  readonly kind:
    | "malformed"
    | "text-frame"
    | "too-big"
    | "duplicate-request-id"
    | "flood"
    | "unexpected-message"
    | "slow-reader";
  /** What was wrong. */
  readonly message: string;
}

/**
 * Hooks and settings of a server. Every field is optional.
 *
 * @example
 * ```ts
 * import { RequestError } from "@webwire/webwire/protocol";
 * import type { ServerOptions } from "@webwire/webwire/server";
 * const options: ServerOptions = {
 *   onRequest: (request) => {
 *     if (request.name === "fail") throw new RequestError("FAILED", "as asked");
 *     return request.payload;
 *   },
 *   maxSessionConnections: 4,
 * };
 * console.assert(options.maxSessionConnections === 4);
 * ```
 */
export interface ServerOptions {
  /**
   * Answers a request: return the reply (see `ReplyValue`), throw a `RequestError` for an error
   * reply with code and message; anything else thrown becomes an internal-error reply and is
   * logged, never sent. Without this hook every request gets an internal-error reply.
   */
  onRequest?(request: IncomingRequest): ReplyValue | Promise<ReplyValue>;
  /** Handles a client's signal. Errors are logged; signals have no reply. */
  onSignal?(signal: IncomingSignal): void | Promise<void>;
  /** A client connected; the accept-conf message has been sent. */
  onClientConnected?(connection: Connection): void;
  /** A connection ended, with the reason. Called once per connection. */
  onClientDisconnected?(connection: Connection, reason: DisconnectReason): void;
  /**
   * A connection, still open, no longer holds `session`: its client closed the session,
   * a handler called `connection.closeSession()`, `server.closeSession(key)` closed it (here or
   * on another node of a cluster; a session past `sessionMaxAge` too), or a restore of another
   * key replaced it. Called before the client is told; not called when the connection ends
   * (see `onClientDisconnected`). Drop per-session state here, such as a chat room's member.
   */
  onSessionEnded?(connection: Connection, session: Session): void;
  /**
   * Sees the HTTP upgrade request before the upgrade: return a `Response` to refuse it (for
   * example a 401), or connection options (info, concurrency limit), or nothing. If it throws
   * or rejects, the error is logged and the request gets 500.
   */
  beforeUpgrade?(
    request: Request,
  ): ConnectionOptions | Response | void | Promise<ConnectionOptions | Response | void>;
  /**
   * Answers an HTTP OPTIONS request (CORS preflight). Without it, OPTIONS gets an empty 204
   * response. If it throws or rejects, the error is logged and the request gets 500.
   */
  onOptions?(request: Request): Response | Promise<Response>;
  /**
   * Client input that broke the protocol; see {@link ProtocolViolation}. Called for every one;
   * the logger gets at most 10 per 10 s (a hostile client causes them at will).
   */
  onProtocolViolation?(connection: Connection, violation: ProtocolViolation): void;
  /** Whether clients may have sessions; default `true`. */
  sessionsEnabled?: boolean;
  /**
   * Where sessions are stored. Default: a `FileSessionManager` in `sessionDirectory` (one
   * `<key>.wwrsess` file per session, as the reference server keeps them).
   */
  sessionManager?: SessionManager;
  /**
   * Directory of the default file session manager; default `.webwire-sessions` in the current
   * working directory, created when the first session is.
   */
  sessionDirectory?: string;
  /**
   * Makes session keys; default: 48 random bytes, base64url (64 characters). With the default
   * file session manager, keys must be file names: 1 to 200 characters of `A-Z a-z 0-9 _ - = .`,
   * not starting with a dot (a `createSession` with another key fails); other keys need a
   * `sessionManager` that stores them. Keys must never repeat: a `createSession` whose key
   * another session has fails with a `SessionKeyTakenError` (the server checks the sessions
   * its connections hold, the built-in session managers the sessions they store).
   */
  sessionKeyGenerator?: SessionKeyGenerator;
  /** How many connections may share one session at once; 0 (the default) for unlimited. */
  maxSessionConnections?: number;
  /**
   * Milliseconds a session that no connection holds may stay unused (since its last
   * connection left, or its last restore) before it is destroyed; a later restore gets
   * session-not-found. Default 0: never, as in the reference. Needs a session manager with
   * expiry support (the memory and file managers have it).
   */
  sessionIdleTimeout?: number;
  /**
   * Milliseconds after its creation at which a session is destroyed, held or not: every
   * connection holding it gets the session-closed notification. Default 0: never.
   */
  sessionMaxAge?: number;
  /**
   * Bounds of the signals that `server.signalSession` keeps for a session no connection holds,
   * replayed in order right after the restore reply to the first connection that restores it;
   * `false` keeps none. Defaults: 256 signals and 1 MiB per session (or half of `maxSendBuffer`,
   * if smaller), 5 minutes, 64 MiB in all. A `maxBytes` above half of `maxSendBuffer` is a
   * `RangeError`: the replay goes out at once, and would close the connection as a slow reader.
   * At most once: a signal already written to a socket that then dropped is not kept. With a
   * `cluster`, the cluster keeps them under its own bounds and this option is neither used nor
   * checked.
   */
  offlineSignals?: OfflineSignalLimits | false;
  /**
   * A kept offline signal was dropped (oldest first): a bound was passed, or the server shut
   * down (`"shutdown"`: for the signals still kept then, and for every later `signalSession`
   * to a session no connection holds). `signal` is the signal itself, for an application that
   * stores what it must not lose (and sends it with `signalSession` once the session is back).
   */
  onOfflineSignalDropped?(
    sessionKey: string,
    reason: OfflineDropReason,
    signal: DroppedSignal,
  ): void;
  /**
   * The cluster this server is a node of (`RedisCluster` from `@webwire/webwire/redis`):
   * `broadcast` (without a filter), `publish`, `signalSession` and `closeSession` then reach
   * the connections of every node, `maxSessionConnections` counts them all, and signals for
   * offline sessions are kept in the cluster. Default: none, a server on its own.
   */
  cluster?: Cluster;
  /**
   * A push could not be relayed to the other nodes (it reached this node's connections). What
   * it throws (or rejects with) is logged at its 1st, 10th, 100th, ... failure.
   */
  onClusterError?(error: unknown, message: ClusterMessage): void;
  /**
   * Milliseconds a connection may stay silent before the server closes it; default 60 000,
   * minimum 1 000. Clients send heartbeats at three quarters of it. Silence is measured while
   * the server's process runs: after a stall (busy, paused) the server reads what came
   * meanwhile before it closes a connection for silence.
   */
  readTimeout?: number;
  /** The largest message accepted, in bytes; default 8192. Larger ones close the connection. */
  messageBufferSize?: number;
  /**
   * Messages of one connection that may wait for or run in a handler at once; default 4096.
   * One more closes the connection (a flood). Bounds memory per connection.
   */
  maxPendingMessages?: number;
  /**
   * Bytes a connection may have queued for sending before replies wait for the socket to drain;
   * default 1 MiB, or half of `maxSendBuffer` if smaller. Keeps a slow reader from growing the
   * server's memory. More than `maxSendBuffer` is a `RangeError` (replies would never wait
   * before the connection is closed as a slow reader).
   */
  sendHighWaterMark?: number;
  /**
   * Bytes a connection may have queued for sending at all; default 8 MiB (under Bun's own
   * default backpressure limit of 16 MiB, past which Bun would drop messages). A send that leaves
   * more queued closes the connection (1008, a slow reader), so that no client can make the
   * server hold unbounded memory. Handlers that push many or large signals can
   * `await connection.whenWritable()` between them to stay under it.
   */
  maxSendBuffer?: number;
  /**
   * Milliseconds that handlers already running get to send their replies once the server has
   * decided to close a connection for a protocol violation, a flood or a read timeout; default
   * 1 000. From the decision on nothing more is read from the connection; its close frame
   * follows the last reply, or comes when the grace is over (later replies are lost and their
   * handlers see their abort signal). 0 closes at once.
   */
  closeGrace?: number;
  /**
   * Milliseconds from a close frame sent by the server until the socket is torn down even if
   * the peer neither reads nor answers the close; default 5 000. A slow reader's close frame is
   * sent at once, a violation's within `closeGrace`, a graceful close's (`connection.close()`,
   * shutdown) once its handlers have finished.
   */
  closeTimeout?: number;
  /** The sub-protocol name sent in accept-conf (printable ASCII); default none. */
  subProtocol?: string;
  /**
   * Where failures are logged; default `console`. Protocol violations are warned about at most
   * 10 times per 10 s, then counted in one line. A handler that fails only because its own
   * connection has ended (a `ConnectionInactiveError`, or its abort signal's reason) is not
   * logged.
   */
  logger?: Logger;
  /**
   * A debug trace of every message sent and received, one line each
   * (`webwire:server 127.0.0.1:50312 ← request id=7 name="echo" 16 B`): `true`, `"payloads"`
   * (adds the start of each payload), or `false`; or an object of `payloads`, `payloadLimit`
   * (default 64 bytes) and `sink`. Lines go to the logger's `debug` (`console.debug` when it
   * has none) unless a `sink` is given. Default: the `WEBWIRE_TRACE` environment variable (`1`
   * or `payloads`; read in Deno only with `--allow-env`), else off.
   */
  trace?: TraceSetting;
}

/**
 * Server options with every default filled in, as the core uses them.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "@webwire/webwire/server";
 * console.assert(resolveLimits({}).readTimeout === 60_000);
 * ```
 */
export interface ServerLimits {
  /** Milliseconds of silence before a connection is closed. */
  readonly readTimeout: number;
  /** Largest accepted message in bytes. */
  readonly messageBufferSize: number;
  /** Messages per connection waiting for or in a handler before it counts as a flood. */
  readonly maxPendingMessages: number;
  /** Send buffer size above which replies wait for the socket to drain. */
  readonly sendHighWaterMark: number;
  /** Send buffer size above which the connection is closed as a slow reader. */
  readonly maxSendBuffer: number;
  /** Connections per session; 0 for unlimited. */
  readonly maxSessionConnections: number;
  /** Whether sessions are enabled. */
  readonly sessionsEnabled: boolean;
  /** Milliseconds running handlers get to reply after a violation, before the close frame. */
  readonly closeGrace: number;
  /** Milliseconds from the close frame until the socket is torn down regardless of the peer. */
  readonly closeTimeout: number;
}

const defaultMaxSendBuffer = 8 * 1024 * 1024;

/** 1 MiB, or half of `maxSendBuffer` if smaller (at least 1; a bad value is checked later). */
function defaultHighWaterMark(maxSendBuffer: number): number {
  const half = Math.floor(maxSendBuffer / 2);
  return Number.isFinite(half) ? Math.max(1, Math.min(1024 * 1024, half)) : 1024 * 1024;
}

/**
 * Fills in the defaults of the numeric and boolean settings and checks their ranges.
 *
 * @throws {RangeError} for a read timeout under 1 000 ms, a non-positive size, a negative
 * close time or a `sendHighWaterMark` above `maxSendBuffer`.
 * @example
 * ```ts
 * import { resolveLimits } from "@webwire/webwire/server";
 * const limits = resolveLimits({ messageBufferSize: 1024 });
 * console.assert(limits.messageBufferSize === 1024 && limits.sessionsEnabled);
 * ```
 */
export function resolveLimits(options: ServerOptions): ServerLimits {
  const limits: ServerLimits = {
    readTimeout: options.readTimeout ?? 60_000,
    messageBufferSize: options.messageBufferSize ?? 8192,
    maxPendingMessages: options.maxPendingMessages ?? 4096,
    sendHighWaterMark: options.sendHighWaterMark ??
      defaultHighWaterMark(options.maxSendBuffer ?? defaultMaxSendBuffer),
    maxSendBuffer: options.maxSendBuffer ?? defaultMaxSendBuffer,
    maxSessionConnections: options.maxSessionConnections ?? 0,
    sessionsEnabled: options.sessionsEnabled ?? true,
    closeGrace: options.closeGrace ?? 1000,
    closeTimeout: options.closeTimeout ?? 5000,
  };
  const { readTimeout } = limits;
  if (!(Number.isInteger(readTimeout) && readTimeout >= 1000 && readTimeout <= 0xffffffff)) {
    throw new RangeError(
      `readTimeout must be a whole number of ms from 1000 to 4294967295, got ${readTimeout}`,
    );
  }
  const sizes = [
    "messageBufferSize",
    "maxPendingMessages",
    "sendHighWaterMark",
    "maxSendBuffer",
  ] as const;
  for (const field of sizes) {
    const value = limits[field];
    if (!(Number.isInteger(value) && value > 0 && value <= 0xffffffff)) {
      throw new RangeError(`${field} must be a positive integer, got ${value}`);
    }
  }
  for (const field of ["closeGrace", "closeTimeout"] as const) {
    const value = limits[field];
    // Timers fire at once for delays over 2^31 - 1 ms.
    if (!(Number.isInteger(value) && value >= 0 && value <= 2_147_483_647)) {
      throw new RangeError(
        `${field} must be a whole number of ms from 0 to 2147483647, got ${value}`,
      );
    }
  }
  if (limits.sendHighWaterMark > limits.maxSendBuffer) {
    throw new RangeError(
      `sendHighWaterMark must be at most maxSendBuffer (${limits.maxSendBuffer}), got ` +
        `${limits.sendHighWaterMark}`,
    );
  }
  if (!(Number.isInteger(limits.maxSessionConnections) && limits.maxSessionConnections >= 0)) {
    throw new RangeError(
      `maxSessionConnections must be 0 or more, got ${limits.maxSessionConnections}`,
    );
  }
  return limits;
}
