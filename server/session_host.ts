/**
 * What the session side of a connection needs: of the server, the hooks it runs as sessions
 * are held and let go ({@link SessionLifecycle}); of the connection, its socket and the
 * server's session machinery ({@link SessionHost}). Internal to the server core.
 *
 * @example
 * ```ts
 * import type { SessionLifecycle } from "./session_host.ts";
 * // A server outside a cluster: any connection may hold a session, and none grows too old.
 * const held = new Set<string>();
 * const lifecycle: SessionLifecycle = {
 *   acquire: () => true,
 *   release: (_key, localRemaining) => localRemaining,
 *   giveBack: () => {},
 *   held: (session) => void held.add(session.key),
 *   unheld: (key) => void held.delete(key),
 *   released: () => {},
 *   destroyed: () => {},
 *   forget: () => Promise.resolve(),
 *   lost: () => {},
 *   destroy: () => Promise.resolve(),
 *   destroyLater: () => {},
 *   isTooOld: () => false,
 *   takeOfflineSignals: () => [],
 *   signalAgain: () => {},
 * };
 * console.assert(lifecycle.release("key", 2) === 2);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { Session, SessionKeyGenerator, SessionManager } from "../session/session_manager.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { SessionRegistry } from "./session_registry.ts";

/**
 * What the server does when the sessions held on it change: slots across a cluster, expiry
 * timers, offline signals and the session manager's release notice.
 *
 * @example
 * ```ts
 * import type { SessionLifecycle } from "./session_host.ts";
 * const lifecycle: SessionLifecycle = {
 *   acquire: () => true,
 *   release: (_key, localRemaining) => localRemaining,
 *   giveBack: () => {},
 *   held: () => {},
 *   unheld: () => {},
 *   released: () => {},
 *   destroyed: () => {},
 *   forget: () => Promise.resolve(),
 *   lost: () => {},
 *   destroy: () => Promise.resolve(),
 *   destroyLater: () => {},
 *   isTooOld: () => false,
 *   takeOfflineSignals: () => [],
 *   signalAgain: () => {},
 * };
 * console.assert(lifecycle.acquire("k") === true);
 * ```
 */
export interface SessionLifecycle {
  /**
   * One more connection wants to hold the session: whether it may (`maxSessionConnections`),
   * taking a slot in a cluster. Every `true` is followed by one {@link release}.
   */
  acquire(key: string): boolean | Promise<boolean>;
  /**
   * A connection let go of the session (or never got it), leaving `localRemaining` holders on
   * this server: frees its slot and resolves to how many connections hold it anywhere. `held`:
   * signals that reached a restore that gave up (see {@link signalAgain}), kept with the
   * release when nobody holds the session after it (in a cluster, in the same step when it
   * can: `Cluster.releaseSessionKeeping`). `taken`: for a connection that dropped while its
   * restore wrote what it took and held, the signals it took and did not write (`null`: it
   * took nothing), given back with `held` as {@link signalAgain} does, in the same step as
   * the release (in a cluster when it can: `Cluster.releaseSessionReturning`).
   */
  release(
    key: string,
    localRemaining: number,
    held?: readonly Uint8Array[],
    taken?: readonly Uint8Array[] | null,
  ): number | Promise<number>;
  /**
   * As {@link release}, where nobody needs to know how many connections still hold the session
   * (in a cluster, one round trip fewer).
   */
  giveBack(key: string): void | Promise<void>;
  /** The first connection of this server now holds the session. */
  held(session: Session): void;
  /** The last connection of this server left the session. */
  unheld(key: string): void;
  /**
   * No connection anywhere holds the session any more, which stays stored. May resolve whether
   * the session manager heard of it (a failure is logged, never thrown).
   */
  released(key: string): void | Promise<boolean>;
  /** The session was closed for good, or a restore found it missing or expired. */
  destroyed(key: string): void;
  /**
   * Closes the session in the session manager: {@link destroyed} now, and the signals kept for
   * it meanwhile forgotten once the manager has forgotten it (kept when that rejects).
   */
  forget(key: string): Promise<void>;
  /**
   * A restore found the session missing from the store, or past its maximum age: as
   * {@link destroyed}, but connections of this server that still hold it (the lookup came in
   * the moment before this server's maximum-age timer fired) have it closed now, as that timer
   * would have (`Server.closeSession`, started here and not waited for: it waits for the
   * holders' session steps, which may wait for the caller's). A failure is logged.
   */
  lost(key: string): void;
  /**
   * Destroys a session that its last connection closed (the client's close-session request, a
   * handler's `connection.closeSession`): the restores of it under way here are overtaken from
   * this call on, the session manager forgets it, and the other nodes of a cluster refuse the
   * restores of it under way and detach connections that joined it meanwhile. Rejects when the
   * session manager fails.
   */
  destroy(key: string): Promise<void>;
  /**
   * The destroy of a session its last connection closed failed (or the count before it): it is
   * tried again for about a minute, unless a connection holds the session by then. With
   * `unused`, a session stored for a connection that did not take it: only that session is
   * forgotten then (`onSessionUnused`), whoever holds the key.
   */
  destroyLater(key: string, unused?: Session): void;
  /** Whether a session created at that time has passed the server's maximum age. */
  isTooOld(creation: Session["creation"]): boolean;
  /** Removes and returns the signals kept for the session while no connection held it. */
  takeOfflineSignals(key: string): Uint8Array[] | Promise<Uint8Array[]>;
  /**
   * Signals that a restore took or held for the session but could not deliver (its connection
   * closed, or it gave up), sent to the session again once the restore's slot is given back:
   * to the connections that hold it, or kept when nobody does. `taken`: what the restore took
   * of the signals kept for the session (`null`: it took nothing), given back ahead of what was
   * kept since. `held`: signals that came during the restore's lookup, or that were sent to the
   * session while it answered and never written, which reached every other connection holding
   * the session then: only kept (when nobody holds it), never sent again; right after `taken`
   * when the restore took something, else after what is kept (on a server without a cluster,
   * ahead of what was kept since).
   */
  signalAgain(key: string, taken: readonly Uint8Array[] | null, held?: readonly Uint8Array[]): void;
}

/**
 * What the session side needs of the server and of its connection.
 *
 * @example
 * ```ts
 * import type { SessionHost } from "./session_host.ts";
 * type Open = SessionHost<object>["isOpen"];
 * const open: Open = true;
 * console.assert(open);
 * ```
 */
export interface SessionHost<C> {
  /** The connection as the registry knows it. */
  readonly owner: C;
  /** Whether the socket is still open. */
  readonly isOpen: boolean;
  /** Whether sessions are enabled on the server. */
  readonly sessionsEnabled: boolean;
  /** Which connections hold which session. */
  readonly sessions: SessionRegistry<C>;
  /** The session closes running: a restore they overtake fails (`Server.closeSession`). */
  readonly closes: SessionCloses;
  /** Session storage. */
  readonly sessionManager: SessionManager;
  /** Session key source. */
  readonly keyGenerator: SessionKeyGenerator;
  /** Where failures go. */
  readonly logger: Logger;
  /** Failed steps of restores since a lookup worked (logged at the 1st, 10th, 100th, ...). */
  readonly restoreFailures: PowersOfTenLog;
  /** Failed give-backs of unused session slots since one worked (logged likewise). */
  readonly giveBackFailures: PowersOfTenLog;
  /** What the server does as sessions come and go. */
  readonly lifecycle: SessionLifecycle;
  /** Sends bytes to the client if the socket is open. */
  send(bytes: Uint8Array): void;
  /** The server's `maxSendBuffer`: more queued for the client closes it as a slow reader. */
  readonly maxSendBuffer: number;
  /** What a message of `length` bytes counts against {@link maxSendBuffer} when it is sent. */
  sendCost(length: number): number;
  /** Holds back pushed signals (broadcast, topics, session signals) until resumed. */
  deferPushes(): void;
  /**
   * Sends the pushed signals held back, in order, and stops holding them back; returns those to
   * session `key` that the connection closed before (not written).
   */
  resumePushes(key: string): Uint8Array[];
  /**
   * The connection, still open, no longer holds `session` (closed, or replaced by a restore);
   * not called when the connection ends.
   */
  ended?(session: Session): void;
}
