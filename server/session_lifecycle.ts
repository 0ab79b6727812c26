/**
 * The server's side of sessions coming and going on its connections: slots (locally, or across
 * a cluster), maximum-age timers, offline signals and the session manager's release notice.
 * Internal to the server core.
 *
 * @example
 * ```ts
 * import { serverSessionLifecycle } from "./session_lifecycle.ts";
 * import { ClusterLink } from "./cluster_link.ts";
 * import { OfflineSignals } from "./offline_signals.ts";
 * import { SessionExpiryClock } from "./session_expiry.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { logoutGiveUp, releaseGiveUp, StoreRetries, unusedGiveUp } from "./store_retries.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { encodeSignal } from "@webwire/webwire/protocol";
 * const manager = new MemorySessionManager();
 * const offline = new OfflineSignals({});
 * // A signal pushed while no connection held session "key".
 * offline.keep("key", encodeSignal({ name: "mail", payload: "1" }));
 * const lifecycle = serverSessionLifecycle({
 *   sessions: new SessionRegistry(0), closes: new SessionCloses(), manager, offline,
 *   maxSessionConnections: 0, logger: console, logoutRetries: new StoreRetries(console, logoutGiveUp),
 *   releaseRetries: new StoreRetries(console, releaseGiveUp),
 *   unusedRetries: new StoreRetries(console, unusedGiveUp),
 *   signalAgain: () => {}, closeSession: () => Promise.resolve(),
 *   expiry: new SessionExpiryClock({}, manager, () => {}, console),
 *   cluster: new ClusterLink(null, console, undefined),
 * });
 * // A restore of "key" takes what was kept for it, once.
 * console.assert((await lifecycle.takeOfflineSignals("key")).length === 1);
 * console.assert((await lifecycle.takeOfflineSignals("key")).length === 0);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { SessionManager } from "../session/session_manager.ts";
import type { ClusterLink } from "./cluster_link.ts";
import type { Cluster } from "./cluster.ts";
import type { SessionLifecycle } from "./session_host.ts";
import type { OfflineSignals } from "./offline_signals.ts";
import type { SessionExpiryClock } from "./session_expiry.ts";
import type { SessionRegistry } from "./session_registry.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { StoreRetries } from "./store_retries.ts";

/**
 * What the lifecycle works with.
 *
 * @example
 * ```ts
 * import type { LifecycleParts } from "./session_lifecycle.ts";
 * type Max = LifecycleParts["maxSessionConnections"];
 * const unlimited: Max = 0;
 * console.assert(unlimited === 0);
 * ```
 */
export interface LifecycleParts {
  /** This server's holders of each session. */
  readonly sessions: SessionRegistry<unknown>;
  /** This server's restores under way (and closes running). */
  readonly closes: SessionCloses;
  /** Session storage. */
  readonly manager: SessionManager;
  /** Expiry timers. */
  readonly expiry: SessionExpiryClock;
  /** Signals kept for offline sessions on this server (when there is no cluster). */
  readonly offline: OfflineSignals | null;
  /** The cluster, if any. */
  readonly cluster: ClusterLink;
  /** Connections per session; 0 for unlimited. */
  readonly maxSessionConnections: number;
  /** Where failures go. */
  readonly logger: Logger;
  /** The destroys of logged-out sessions tried again. */
  readonly logoutRetries: StoreRetries;
  /** Release notices that failed outside a cluster, tried again (a cluster repairs its own). */
  readonly releaseRetries: StoreRetries;
  /** Forgets of sessions stored for failed logins, tried again (a queue apart from logouts'). */
  readonly unusedRetries: StoreRetries;
  /** Sends a signal to a session again (`ServerPush.signalAgain`). */
  readonly signalAgain: (key: string, bytes: Uint8Array, delivered: boolean) => void;
  /** Closes a session for every connection holding it (`Server.closeSession`). */
  readonly closeSession: (key: string) => Promise<unknown>;
}

/**
 * How often a release notice may be undone and given again because the session's holders came
 * and went while it ran (each round needs a restore and a leave in between).
 */
const maxReleaseRounds = 8;

/**
 * Makes the lifecycle of one server.
 *
 * @example
 * ```ts
 * import { serverSessionLifecycle } from "./session_lifecycle.ts";
 * import { ClusterLink } from "./cluster_link.ts";
 * import { SessionExpiryClock } from "./session_expiry.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { logoutGiveUp, releaseGiveUp, StoreRetries, unusedGiveUp } from "./store_retries.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const manager = new MemorySessionManager();
 * const sessions = new SessionRegistry<string>(1); // one connection per session
 * const lifecycle = serverSessionLifecycle({
 *   sessions, closes: new SessionCloses(), manager, offline: null, maxSessionConnections: 1,
 *   logger: console, logoutRetries: new StoreRetries(console, logoutGiveUp),
 *   releaseRetries: new StoreRetries(console, releaseGiveUp),
 *   unusedRetries: new StoreRetries(console, unusedGiveUp),
 *   signalAgain: () => {}, closeSession: () => Promise.resolve(),
 *   expiry: new SessionExpiryClock({}, manager, () => {}, console),
 *   cluster: new ClusterLink(null, console, undefined),
 * });
 * sessions.register("key", "connection A");
 * console.assert(lifecycle.acquire("key") === false && lifecycle.acquire("other") === true);
 * ```
 */
export function serverSessionLifecycle(parts: LifecycleParts): SessionLifecycle {
  const { sessions, manager, expiry, offline, cluster, logger, closes } = parts;
  const clustered = cluster.cluster;
  const releaseFailures = new PowersOfTenLog();
  const destroyed = (key: string) => {
    expiry.unheld(key);
    offline?.discard(key);
  };
  const forget = async (key: string) => {
    expiry.unheld(key);
    await manager.onSessionClosed(key);
    // Only once the close stands: a failed one leaves the session stored, and its restore gets
    // every signal kept for it, before the close and while it ran.
    offline?.discard(key);
  };
  const destroy = async (key: string) => {
    const closed = closes.begin(key);
    try {
      await forget(key);
      cluster.relay({ kind: "close-session", key });
      await clustered?.sessionReleased?.(key); // gone: no record of its release to keep
    } finally {
      closed();
    }
  };
  const signalAgain: SessionLifecycle["signalAgain"] = (key, taken, held = []) => {
    // Taken from the cluster, not delivered: given back ahead of what was kept since, with
    // what came during the lookup (newer) right after them, in one step.
    const returned = taken !== null && taken.length + held.length > 0
      ? cluster.returnOfflineSignals(key, taken, held)
      : "none";
    if (returned === "all") return;
    if (returned === "none" && clustered === null && sessions.holders(key).size === 0) {
      // Taken from this server's store or held back: kept again ahead of what was kept since
      // (they are older), in one step.
      return offline?.giveBack(key, [...(taken ?? []), ...held]);
    } else if (returned === "none") {
      for (const bytes of taken ?? []) parts.signalAgain(key, bytes, false);
    }
    for (const bytes of held) parts.signalAgain(key, bytes, true);
  };
  return {
    acquire: (key) =>
      clustered === null
        ? sessions.canJoin(key)
        : clustered.acquireSession(key, parts.maxSessionConnections),
    // Outside a cluster, counted synchronously: a destroy follows its count in the same step,
    // and signals a restore held are kept before any sent after it.
    release: (key, localRemaining, held = [], taken = null) => {
      const keepHeld = () => {
        if (sessions.holders(key).size > 0) return;
        for (const bytes of held) parts.signalAgain(key, bytes, true);
      };
      if (clustered !== null) {
        const unkept = (error: unknown) => cluster.unkept(error, key, held);
        if (taken === null || taken.length === 0) {
          return releaseInCluster(clustered, key, held, keepHeld, unkept);
        }
        if (clustered.releaseSessionReturning === undefined) {
          // Given back once the slot is: a restore elsewhere in between finds none of them.
          const released = releaseInCluster(clustered, key, held, keepHeld, unkept);
          return released.finally(() => signalAgain(key, taken));
        }
        return releaseReturning(clustered, key, taken, held, (error) => {
          cluster.unkept(error, key, [...taken, ...held]);
        });
      }
      // Counted synchronously: given back in the same step.
      if (taken !== null) signalAgain(key, taken, held);
      else if (localRemaining === 0) keepHeld();
      return localRemaining;
    },
    giveBack: async (key) => {
      if (clustered === null) return;
      await clustered.releaseSession(key);
      // The session is gone: no idle clock to start, no record of the release to keep.
      await clustered.sessionReleased?.(key);
    },
    held: (session) => expiry.held(session),
    unheld: (key) => expiry.unheld(key),
    released: (key) => {
      if (manager.onSessionReleased === undefined) return Promise.resolve(true);
      const wanted = async () =>
        clustered === null
          ? sessions.holders(key).size > 0 || closes.isRestoring(key)
          : await clustered.sessionConnectionCount(key) > 0;
      const release = async () => {
        await manager.onSessionReleased!(key);
        // A restore (of this server, or in a cluster of another node's) may have looked the
        // session up (which holds it) between the count of 0 and the release: its session must
        // not expire while held. A restore that looks it up after this count holds it itself.
        // Those holders may all leave before the lookup here undoes their own release: counted
        // again after it, and released again when none is left (until the counts agree).
        for (let round = 0; round < maxReleaseRounds && await wanted(); round++) {
          if (await manager.onSessionLookup(key) === null || await wanted()) break;
          await manager.onSessionReleased!(key);
        }
        // Heard of: the cluster may forget its record of the release (it would report it).
        await clustered?.sessionReleased?.(key);
      };
      return release().then(() => (releaseFailures.reset(), true), (error) => {
        // An outage fails many, again at each heartbeat's sweep in a cluster: 1st, 10th, ...
        if (releaseFailures.tally()) {
          logger.error(`releasing a session failed (${releaseFailures.count} in a row)`, error);
        }
        // In a cluster, the released hash has it reported again by a heartbeat's sweep.
        if (clustered === null) {
          parts.releaseRetries.add(key, async () => (await release(), true));
        }
        return false;
      });
    },
    destroyed,
    forget,
    lost: (key) => {
      if (sessions.holders(key).size === 0) return destroyed(key);
      parts.closeSession(key).catch((error) => {
        logger.error("closing a session the store no longer has failed", error);
      });
    },
    destroy,
    destroyLater: (key, unused) => {
      const forgetUnused = manager.onSessionUnused?.bind(manager);
      if (unused !== undefined && forgetUnused !== undefined) {
        // Only that session goes, whoever holds the key: no holder to wait for. It waits apart
        // from a logout of the key, which it must not keep from its own retry, and in a queue
        // of its own, which failed logins cannot fill for logouts.
        const forget = async () => {
          await forgetUnused(unused);
          return true;
        };
        return parts.unusedRetries.add(`${key}\n${unused.creation}`, forget);
      }
      parts.logoutRetries.add(key, async () => {
        const holders = clustered === null
          ? sessions.holders(key).size
          : await clustered.sessionConnectionCount(key);
        if (holders > 0) return false;
        await destroy(key);
        return true;
      });
    },
    isTooOld: (creation) => expiry.isTooOld(creation),
    takeOfflineSignals: (key) =>
      clustered === null ? offline?.take(key) ?? [] : cluster.takeOfflineSignals(key),
    signalAgain,
  };
}

/**
 * Frees this connection's slot of session `key` and gives back what its restore did not write
 * (`taken` and `held`) in the same step (`Cluster.releaseSessionReturning`); resolves to the
 * connections left anywhere. A failure of that step reports them as `unkept`.
 */
async function releaseReturning(
  cluster: Cluster,
  key: string,
  taken: readonly Uint8Array[],
  held: readonly Uint8Array[],
  unkept: (error: unknown) => void,
): Promise<number> {
  try {
    return await cluster.releaseSessionReturning!(key, taken, held);
  } catch (error) {
    // Its reply may be lost with the step run (a hung Redis runs it when it wakes): giving
    // them back again could keep them twice. Reported as failed pushes.
    unkept(error);
    throw error;
  }
}

/**
 * Frees this connection's slot of session `key`; resolves to the connections left anywhere.
 * Signals a restore `held` are kept in the same step when the cluster can (a failure of that
 * step reports them as `unkept`), else `keepHeld` publishes them after the release (and when
 * the release fails).
 */
async function releaseInCluster(
  cluster: Cluster,
  key: string,
  held: readonly Uint8Array[],
  keepHeld: () => void,
  unkept: (error: unknown) => void,
): Promise<number> {
  const keeping = held.length > 0 && cluster.releaseSessionKeeping !== undefined;
  let left: void | number;
  try {
    left = keeping
      ? await cluster.releaseSessionKeeping!(key, held)
      : await cluster.releaseSession(key);
  } catch (error) {
    // A keeping release whose reply was lost may have kept them already (a hung Redis runs it
    // when it wakes): publishing them again would keep them twice. Reported as failed pushes.
    if (keeping) unkept(error);
    else keepHeld();
    throw error;
  }
  if (!keeping) keepHeld();
  // A cluster that counts with the release saves a round trip.
  return typeof left === "number" ? left : await cluster.sessionConnectionCount(key);
}
