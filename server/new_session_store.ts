/**
 * Storing the session a handler's `createSession` makes, and undoing that for a session no
 * connection took after all. Internal to the server core.
 *
 * @example
 * ```ts
 * import { storeNewSession } from "./new_session_store.ts";
 * console.assert(typeof storeNewSession === "function");
 * ```
 * @module
 */

import type { Session, SessionManager } from "../session/session_manager.ts";
import { SessionKeyTakenError } from "../session/session_key_taken_error.ts";
import { DefaultSessionKeyGenerator } from "../session/session_key.ts";
import type { SessionHost } from "./session_host.ts";
import { releaseUnusedSlot } from "./unused_session_slot.ts";

/**
 * Takes a slot for the new session and stores it, before the client hears of it (so that it can
 * be restored at once). A key that another session has is refused, and that session is left as
 * it is: one a connection of this server holds, one whose slot in the cluster is full, or one
 * the session manager refuses with a {@link SessionKeyTakenError}. Any other failure of the
 * store gives the slot back and forgets the key, then throws what the store threw. Stored, the
 * session starts with nothing kept for an earlier session of its key (an expired one that gave
 * way): signals kept for that one are not the new session's.
 *
 * @example
 * ```ts
 * import { storeNewSession } from "./new_session_store.ts";
 * import { SessionKeyTakenError } from "../session/session_key_taken_error.ts";
 * import type { SessionHost } from "./session_host.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const host = {
 *   sessions: { holders: (key: string) => new Set(key === "held" ? ["A"] : []) },
 *   lifecycle: {
 *     acquire: () => true,
 *     giveBack: () => {},
 *     destroyed: () => {},
 *     takeOfflineSignals: () => [],
 *   },
 *   keyGenerator: { generate: () => "new" },
 *   sessionManager: { onSessionCreated: () => {} },
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * const now = Timestamp.now();
 * await storeNewSession(host, { key: "new", creation: now, lastLookup: now });
 * try {
 *   await storeNewSession(host, { key: "held", creation: now, lastLookup: now });
 * } catch (error) {
 *   console.assert(error instanceof SessionKeyTakenError);
 * }
 * ```
 */
export async function storeNewSession<C>(host: SessionHost<C>, session: Session): Promise<void> {
  if (host.sessions.holders(session.key).size > 0) throw new SessionKeyTakenError();
  // A new key's slot is free; a cluster counts it.
  if (!await host.lifecycle.acquire(session.key)) throw new SessionKeyTakenError();
  try {
    await host.sessionManager.onSessionCreated(session);
  } catch (error) {
    if (isKeyTaken(error)) {
      // Another session's key: its slot and its store are not this connection's to change.
      await releaseUnusedSlot(host, session.key, false);
      throw error;
    }
    // A store whose answer was lost (a timeout) may have stored it, or store it yet (a hung
    // Redis runs what it got once it wakes): nobody would ever hold, forget or expire it.
    await dropUnusedSession(host, session);
    throw error; // what the handler hears of, not the forget's failure
  }
  await forgetEarlierSession(host, session.key);
}

/**
 * A new session took `key`: signals kept for an earlier session of the key (one that expired
 * and gave way, whose restore never came) are not for its restore. Kept by this server, they
 * go at once; kept by a cluster, they are taken and dropped, one round trip that the default
 * key generator's keys (never repeated) do without. A failure of that is logged.
 */
async function forgetEarlierSession<C>(host: SessionHost<C>, key: string): Promise<void> {
  host.lifecycle.destroyed(key);
  if (host.keyGenerator instanceof DefaultSessionKeyGenerator) return;
  try {
    await host.lifecycle.takeOfflineSignals(key);
  } catch (error) {
    host.logger.error("dropping the signals kept for an earlier session of a key failed", error);
  }
}

/**
 * Gives back the slot of a session this connection stored (or may have) and did not take
 * after all, and forgets the session: with the manager's `onSessionUnused` only while the key
 * has this session (another user's session under a repeated key stays), else with
 * `onSessionClosed`. A forget that fails is tried again later.
 *
 * @example
 * ```ts
 * import { dropUnusedSession } from "./new_session_store.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * import type { SessionHost } from "./session_host.ts";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * const forgotten: string[] = [];
 * const host = {
 *   lifecycle: { giveBack: () => {}, destroyLater: () => {} },
 *   sessionManager: { onSessionClosed: (key: string) => void forgotten.push(key) },
 *   giveBackFailures: new PowersOfTenLog(),
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * const now = Timestamp.now();
 * await dropUnusedSession(host, { key: "key", creation: now, lastLookup: now });
 * console.assert(forgotten[0] === "key");
 * ```
 */
export async function dropUnusedSession<C>(host: SessionHost<C>, session: Session): Promise<void> {
  await releaseUnusedSlot(host, session.key, false);
  try {
    await forgetUnused(host.sessionManager, session);
  } catch {
    host.lifecycle.destroyLater(session.key, session);
  }
}

/**
 * Forgets a session no connection took: only while its key has it, where the manager can tell.
 *
 * @example
 * ```ts
 * import { forgetUnused } from "./new_session_store.ts";
 * import { MemorySessionManager } from "../session/memory_session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const manager = new MemorySessionManager();
 * const stored = { key: "k", creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * manager.onSessionCreated(stored);
 * await forgetUnused(manager, { ...stored, creation: new Timestamp(0) }); // not this one
 * console.assert(manager.hasSession("k"));
 * ```
 */
export async function forgetUnused(manager: SessionManager, session: Session): Promise<void> {
  if (manager.onSessionUnused !== undefined) await manager.onSessionUnused(session);
  else await manager.onSessionClosed(session.key);
}

/** A {@link SessionKeyTakenError}, also one of another copy of this library (a bundle). */
function isKeyTaken(error: unknown): boolean {
  return error instanceof SessionKeyTakenError ||
    (error instanceof Error && error.name === "SessionKeyTakenError");
}
