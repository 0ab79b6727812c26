/**
 * What a connection needs of its server: hooks, limits, registries, session storage and the
 * server-wide parts of logging and shutdown. Internal to the server core.
 *
 * @example
 * ```ts
 * import { createServerParts } from "./server_parts.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import type { ServerContext } from "./server_context.ts";
 * let stopping = false;
 * const parts = createServerParts({ sessionManager: new MemorySessionManager() }, {
 *   isShuttingDown: () => stopping,
 *   closeSession: () => Promise.resolve(0),
 * });
 * // What every connection of this server is given.
 * const context: ServerContext = parts.context;
 * console.assert(context.limits.readTimeout === 60_000 && !context.shuttingDown);
 * stopping = true;
 * console.assert(context.shuttingDown); // read from the server each time
 * parts.expiry.stop();
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Tracer } from "../protocol/trace.ts";
import type { SessionKeyGenerator, SessionManager } from "../session/session_manager.ts";
import type { SessionLifecycle } from "./session_host.ts";
import type { ConnectionState } from "./connection_state.ts";
import type { ServerLimits, ServerOptions } from "./options.ts";
import type { RateLimitedLog } from "./rate_limited_log.ts";
import type { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { HookFailures } from "./hook_failures.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { SessionRegistry } from "./session_registry.ts";
import type { TopicRegistry } from "./topic_registry.ts";

/**
 * What a connection needs of its server.
 *
 * @example
 * ```ts
 * import type { ServerContext } from "./server_context.ts";
 * type Limits = ServerContext["limits"];
 * const ok: keyof Limits = "readTimeout";
 * console.assert(ok === "readTimeout");
 * ```
 */
export interface ServerContext {
  /** The hooks. */
  readonly hooks: ServerOptions;
  /** The limits with defaults filled in. */
  readonly limits: ServerLimits;
  /** Which connections hold which session. */
  readonly sessions: SessionRegistry<ConnectionState>;
  /** The session closes running, and the restores they overtake. */
  readonly sessionCloses: SessionCloses;
  /** Which connections subscribed to which topic. */
  readonly topics: TopicRegistry<ConnectionState>;
  /** What the server does as sessions come and go. */
  readonly sessionLifecycle: SessionLifecycle;
  /** Session storage. */
  readonly sessionManager: SessionManager;
  /** Session key source. */
  readonly keyGenerator: SessionKeyGenerator;
  /** Where failures go. */
  readonly logger: Logger;
  /** Writes the debug trace; `undefined` when tracing is off. */
  readonly tracer: Tracer | undefined;
  /** The hooks' failures, logged at the 1st, 10th, 100th, ... of each hook. */
  readonly hookFailures: HookFailures;
  /** Where protocol violations are logged, at a bounded rate. */
  readonly violationLog: RateLimitedLog;
  /** Where handler failures are logged, at a bounded rate (any client can cause them). */
  readonly handlerLogger: Logger;
  /**
   * Failures of ended connections to leave their sessions (a cluster's Redis unreachable): logged
   * at the 1st, 10th, 100th, ... since the last leave that worked.
   */
  readonly leaveFailures: PowersOfTenLog;
  /**
   * Failed steps of restores (the session store unreachable): logged at the 1st, 10th, 100th,
   * ... since a lookup worked.
   */
  readonly restoreFailures: PowersOfTenLog;
  /**
   * Failed give-backs of session slots a restore or create did not use (a cluster's Redis
   * unreachable: one per restore in flight): logged at the 1st, 10th, 100th, ... since one worked.
   */
  readonly giveBackFailures: PowersOfTenLog;
  /** Whether the server is shutting down. */
  readonly shuttingDown: boolean;
  /** Forgets a connection that ended. */
  removeConnection(state: ConnectionState): void;
  /** A socket was sent its close frame; `gone` resolves once it is closed or dropped. */
  socketClosing(gone: Promise<void>): void;
  /**
   * An ended connection is leaving its session; `left` settles once the slot is given back and
   * the session manager told. Shutdown waits for it before the node leaves its cluster.
   */
  sessionLeaving(left: Promise<unknown>): void;
}
