/**
 * The parts a `Server` is made of, and how its options make them: session storage and
 * keys, logging and tracing, offline signals, session expiry, the cluster link, the pushes and
 * what each connection is given of its server ({@link ServerContext}). Internal to the server
 * core.
 *
 * @example
 * ```ts
 * import { createServerParts } from "./server_parts.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const parts = createServerParts({ sessionManager: new MemorySessionManager(), readTimeout: 30_000 }, {
 *   isShuttingDown: () => false,
 *   closeSession: () => Promise.resolve(0),
 * });
 * console.assert(parts.limits.readTimeout === 30_000 && parts.connections.size === 0);
 * parts.expiry.stop();
 * ```
 * @module
 */

import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import type { Logger } from "../protocol/logger.ts";
import { guardedLogger } from "../protocol/guarded_logger.ts";
import { createTracer, type Tracer } from "../protocol/trace.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { DefaultSessionKeyGenerator } from "../session/session_key.ts";
import type { SessionManager } from "../session/session_manager.ts";
import { ClusterLink } from "./cluster_link.ts";
import type { ConnectionState } from "./connection_state.ts";
import { offlineLimitsUnder, OfflineSignals } from "./offline_signals.ts";
import { resolveLimits, type ServerLimits, type ServerOptions } from "./options.ts";
import { HookFailures } from "./hook_failures.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";
import type { ServerContext } from "./server_context.ts";
import { ServerPush } from "./server_push.ts";
import { SessionExpiryClock } from "./session_expiry.ts";
import { serverSessionLifecycle } from "./session_lifecycle.ts";
import { logoutGiveUp, releaseGiveUp, StoreRetries, unusedGiveUp } from "./store_retries.ts";
import { droppedSignal } from "./dropped_signal.ts";
import { ForgottenSessionCheck } from "./forgotten_session_check.ts";
import { SessionCloses } from "./session_closes.ts";
import { SessionRegistry } from "./session_registry.ts";
import { TopicRegistry } from "./topic_registry.ts";
import { flushUpgradeHookFailures } from "./upgrade_decision.ts";

/**
 * Protocol violations written to the logger: a hostile client causes them at will, and the
 * `onProtocolViolation` hook sees every one reported (the logger at most these).
 */
const violationLogLimit = { max: 10, windowMs: 10_000, what: "protocol violations" };
/** Any client can make a handler fail on every request (bad input it does not expect). */
const handlerFailureLimit = {
  max: 10,
  windowMs: 10_000,
  what: "handler failures",
  note: "catch in the handler what must all be logged",
};

/**
 * What the parts ask of the server they make up.
 *
 * @example
 * ```ts
 * import type { ServerPartsOwner } from "./server_parts.ts";
 * let shuttingDown = false;
 * const owner: ServerPartsOwner = {
 *   isShuttingDown: () => shuttingDown,
 *   closeSession: (key) => Promise.resolve(key === "expired-key" ? 1 : 0),
 * };
 * shuttingDown = true;
 * console.assert(owner.isShuttingDown());
 * ```
 */
export interface ServerPartsOwner {
  /** Whether the server is shutting down; asked (unbound) by connections for every request. */
  readonly isShuttingDown: () => boolean;
  /** Closes a session everywhere (`Server.closeSession`); called when a session expires. */
  closeSession(key: string): Promise<number>;
}

/**
 * The parts of one server.
 *
 * @example
 * ```ts
 * import { createServerParts, type ServerParts } from "./server_parts.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const parts: ServerParts = createServerParts({ sessionManager: new MemorySessionManager() }, {
 *   isShuttingDown: () => false,
 *   closeSession: () => Promise.resolve(0),
 * });
 * console.assert(parts.offline !== null && parts.cluster.cluster === null);
 * parts.expiry.stop();
 * ```
 */
export interface ServerParts {
  /** The settings in force, defaults filled in. */
  readonly limits: ServerLimits;
  /** The open connections, in the order they were accepted. */
  readonly connections: Set<ConnectionState>;
  /** Sockets sent their close frame and not yet closed: shutdown waits for them. */
  readonly closingSockets: Set<Promise<void>>;
  /** Sessions that ended connections are still leaving: shutdown waits for them. */
  readonly leavingSessions: Set<Promise<unknown>>;
  /** Which connections subscribed to which topic. */
  readonly topics: TopicRegistry<ConnectionState>;
  /** Which connections hold which session. */
  readonly sessions: SessionRegistry<ConnectionState>;
  /** The session closes running, and the restores they overtake. */
  readonly sessionCloses: SessionCloses;
  /** Session storage: the option's, or files in `sessionDirectory`. */
  readonly sessionManager: SessionManager;
  /** Where failures go: the option's, or the console. */
  readonly logger: Logger;
  /** Writes the debug trace; `undefined` when tracing is off. */
  readonly tracer: Tracer | undefined;
  /** The hooks' failures, logged at the 1st, 10th, 100th, ... of each hook. */
  readonly hookFailures: HookFailures;
  /** Where protocol violations are logged, at most 10 per 10 s. */
  readonly violationLog: RateLimitedLog;
  /** Where handler failures are logged, at most 10 per 10 s. */
  readonly handlerFailures: RateLimitedLog;
  /** The accept-conf message every connection receives first. */
  readonly acceptConf: Uint8Array;
  /**
   * Signals kept for offline sessions, or `null` when `offlineSignals` is `false` or with a
   * cluster (which keeps them).
   */
  readonly offline: OfflineSignals | null;
  /** Session expiry timers and sweeps. */
  readonly expiry: SessionExpiryClock;
  /** The cluster, if any. */
  readonly cluster: ClusterLink;
  /** What each connection is given of its server. */
  readonly context: ServerContext;
  /** Pushes signals to connections, and relays them to the cluster. */
  readonly push: ServerPush;
  /** Detaches sessions closed on other nodes while this node's cluster link was cut. */
  readonly forgottenSessions: ForgottenSessionCheck<ConnectionState>;
  /** The destroys of logged-out sessions tried again. */
  readonly logoutRetries: StoreRetries;
  /** The release notices (idle clocks) that failed outside a cluster, tried again. */
  readonly releaseRetries: StoreRetries;
  /** The forgets of sessions stored for failed logins, tried again. */
  readonly unusedRetries: StoreRetries;
}

/**
 * Makes the parts of a server from its options, in the order that decides which bad option is
 * reported first, and joins the cluster (see `Server.clusterJoined`).
 *
 * @throws {RangeError} for out-of-range limits or a sub-protocol that is not printable ASCII.
 * @example
 * ```ts
 * import { createServerParts } from "./server_parts.ts";
 * try {
 *   createServerParts({ readTimeout: -1 }, {
 *     isShuttingDown: () => false,
 *     closeSession: () => Promise.resolve(0),
 *   });
 * } catch (error) {
 *   console.assert(error instanceof RangeError);
 * }
 * ```
 */
export function createServerParts(options: ServerOptions, owner: ServerPartsOwner): ServerParts {
  const limits = resolveLimits(options);
  const connections = new Set<ConnectionState>();
  const closingSockets = new Set<Promise<void>>();
  const leavingSessions = new Set<Promise<unknown>>();
  const topics = new TopicRegistry<ConnectionState>();
  // In a cluster the cluster counts a session's connections on every node.
  const sessions = new SessionRegistry<ConnectionState>(
    options.cluster === undefined ? limits.maxSessionConnections : 0,
  );
  const logger = guardedLogger(options.logger ?? console);
  const sessionManager = options.sessionManager ?? new FileSessionManager({
    directory: options.sessionDirectory ?? ".webwire-sessions",
    // Keys of a custom generator need not look like default keys; the file manager's own
    // file-name rule still keeps every key inside the directory.
    ...(options.sessionKeyGenerator !== undefined ? { isValidKey: () => true } : {}),
    logger, // a corrupt session file is reported where the server reports
  });
  const keyGenerator = options.sessionKeyGenerator ?? new DefaultSessionKeyGenerator();
  // The tracer writes to the given logger's own `debug`, which the guard does not have.
  const tracer = createTracer("server", options.trace, options.logger ?? console);
  const violationLog = new RateLimitedLog(logger, violationLogLimit);
  const handlerFailures = new RateLimitedLog(logger, handlerFailureLimit);
  const hookFailures = new HookFailures(logger);
  if (options.subProtocol !== undefined && typeof options.subProtocol !== "string") {
    throw new TypeError(`subProtocol must be a string, got ${typeof options.subProtocol}`);
  }
  const acceptConf = encodeAcceptConf({
    readTimeoutMs: limits.readTimeout,
    messageBufferSize: limits.messageBufferSize,
    subProtocol: options.subProtocol ?? "",
  });
  // A cluster keeps signals for offline sessions under its own bounds: this option is not used.
  const offlineLimits = options.offlineSignals === false || options.cluster !== undefined
    ? null
    : offlineLimitsUnder(options.offlineSignals ?? {}, limits.maxSendBuffer);
  const offline = offlineLimits === null
    ? null
    : new OfflineSignals(offlineLimits, (key, reason, bytes) => {
      const { onOfflineSignalDropped } = options;
      if (onOfflineSignalDropped === undefined) return;
      hookFailures.call(
        "onOfflineSignalDropped",
        () => onOfflineSignalDropped(key, reason, droppedSignal(bytes)),
      );
    });
  const expiry = new SessionExpiryClock(
    options,
    sessionManager,
    (key) =>
      void owner.closeSession(key).catch((error) => {
        // Still stored: a lookup or sweep of an expiring manager (or the restore's age check)
        // refuses it all the same.
        logger.error("closing a session at its maximum age failed", error);
      }),
    logger,
    (key) => offline?.discard(key),
  );
  const cluster = new ClusterLink(options.cluster ?? null, logger, options.onClusterError);
  const sessionCloses = new SessionCloses();
  const logoutRetries = new StoreRetries(logger, logoutGiveUp);
  const releaseRetries = new StoreRetries(logger, releaseGiveUp);
  // Apart from logouts: failed logins during a long outage must not fill the logouts' queue.
  const unusedRetries = new StoreRetries(logger, unusedGiveUp);
  const isShuttingDown = owner.isShuttingDown;
  const context: ServerContext = {
    hooks: options,
    limits,
    sessions,
    sessionCloses,
    topics,
    sessionLifecycle: serverSessionLifecycle({
      sessions,
      closes: sessionCloses,
      manager: sessionManager,
      expiry,
      offline,
      cluster,
      maxSessionConnections: limits.maxSessionConnections,
      logger,
      logoutRetries,
      releaseRetries,
      unusedRetries,
      // The push is made below, before any connection: a restore signals again at the earliest
      // once a connection is accepted.
      signalAgain: (key, bytes, delivered) => push.signalAgain(key, bytes, delivered),
      closeSession: (key) => owner.closeSession(key),
    }),
    sessionManager,
    keyGenerator,
    logger,
    tracer,
    hookFailures,
    violationLog,
    handlerLogger: handlerFailures.asLogger(),
    leaveFailures: new PowersOfTenLog(),
    restoreFailures: new PowersOfTenLog(),
    giveBackFailures: new PowersOfTenLog(),
    get shuttingDown() {
      return isShuttingDown();
    },
    removeConnection: (state) => void connections.delete(state),
    socketClosing: (gone) => {
      closingSockets.add(gone);
      gone.then(() => closingSockets.delete(gone));
    },
    sessionLeaving: (left) => {
      leavingSessions.add(left);
      const done = () => void leavingSessions.delete(left);
      left.then(done, done);
    },
  };
  const push = new ServerPush({
    connections,
    topics,
    sessions,
    sessionCloses,
    offline,
    cluster,
    sessionsEnabled: limits.sessionsEnabled,
    logger,
  });
  const forgottenSessions = new ForgottenSessionCheck({
    sessions,
    sessionCloses,
    sessionManager,
    logger,
  });
  const heldAgainFailures = new PowersOfTenLog();
  cluster.join({
    deliver: (message) => push.deliver(message),
    missed: () => forgottenSessions.request(),
    released: async (key) => {
      if (sessions.holders(key).size > 0) return true;
      return await context.sessionLifecycle.released(key) !== false;
    },
    held: (key) => {
      if (sessions.holders(key).size === 0) return;
      // Many sessions come back at once after a cut: failures are logged at the 1st, 10th, ...
      const failed = (step: string) => (error: unknown) => {
        if (heldAgainFailures.tally()) {
          logger.error(`${step} failed (${heldAgainFailures.count} times)`, error);
        }
      };
      (async () => await sessionManager.onSessionLookup(key))().catch(
        failed("holding a session again"),
      );
      // Signals the cluster kept while it took this node for dead: its connections get them now
      // (kept again if they left meanwhile), not at some later restore.
      cluster.takeOfflineSignals(key).then(
        (kept) => kept.forEach((bytes) => push.signalSession(key, bytes)),
        failed("taking the signals kept while this node was taken for dead"),
      );
    },
  });
  return {
    limits,
    connections,
    closingSockets,
    leavingSessions,
    topics,
    sessions,
    sessionCloses,
    sessionManager,
    logger,
    tracer,
    hookFailures,
    violationLog,
    handlerFailures,
    acceptConf,
    offline,
    expiry,
    cluster,
    context,
    push,
    forgottenSessions,
    logoutRetries,
    releaseRetries,
    unusedRetries,
  };
}

/**
 * Writes what the server's rate-limited logs left out so far (protocol violations, handler and
 * upgrade hook failures): the shutdown calls it, as the process may end before their windows do.
 *
 * @example
 * ```ts
 * import { createServerParts, flushServerLogs } from "./server_parts.ts";
 * const parts = createServerParts({ sessionsEnabled: false }, {
 *   isShuttingDown: () => true,
 *   closeSession: () => Promise.resolve(0),
 * });
 * flushServerLogs(parts); // nothing was left out: nothing is written
 * parts.expiry.stop();
 * ```
 */
export function flushServerLogs(parts: ServerParts): void {
  parts.violationLog.flush();
  parts.handlerFailures.flush();
  flushUpgradeHookFailures(parts.logger);
}
