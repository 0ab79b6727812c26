/**
 * A session manager that keeps sessions in memory: for tests, and for servers that need no
 * restore across restarts.
 *
 * @example
 * ```ts
 * import { MemorySessionManager } from "./memory_session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const manager = new MemorySessionManager();
 * const t = Timestamp.parse("2020-01-01T00:00:00Z");
 * manager.onSessionCreated({ key: "k", creation: t, lastLookup: t, info: { user: "ada" } });
 * console.assert(manager.onSessionLookup("k")?.info?.user === "ada");
 * ```
 * @module
 */

import type { SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import type { Session, SessionLookupResult, SessionManager } from "./session_manager.ts";

interface StoredSession {
  creation: Timestamp;
  lastLookup: Timestamp;
  info?: SessionInfo;
}

/**
 * Stores sessions in a `Map`. A lookup records the current time as the last lookup and, like
 * the reference's default manager, returns the values from before it: the `lastLookup` of the
 * result is the time of the previous lookup (or the creation's `lastLookup`). Info fields are
 * copied in and out, so callers cannot change a stored session by mutating objects.
 *
 * @example
 * ```ts
 * import { MemorySessionManager } from "./memory_session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const manager = new MemorySessionManager();
 * const t = Timestamp.parse("2020-01-01T00:00:00Z");
 * manager.onSessionCreated({ key: "k", creation: t, lastLookup: t });
 * console.assert(manager.onSessionLookup("k")?.lastLookup === t);
 * manager.onSessionClosed("k");
 * console.assert(manager.onSessionLookup("k") === null && manager.size === 0);
 * ```
 */
export class MemorySessionManager implements SessionManager {
  readonly #sessions = new Map<string, StoredSession>();

  /** How many sessions are stored. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Stores the session under its key, replacing any session of that key. */
  onSessionCreated(session: Session): void {
    const stored: StoredSession = { creation: session.creation, lastLookup: session.lastLookup };
    if (session.info !== undefined) stored.info = structuredClone(session.info);
    this.#sessions.set(session.key, stored);
  }

  /** Finds a session, records now as its last lookup and returns its values from before. */
  onSessionLookup(key: string): SessionLookupResult | null {
    const stored = this.#sessions.get(key);
    if (stored === undefined) return null;
    const result: SessionLookupResult = {
      creation: stored.creation,
      lastLookup: stored.lastLookup,
      ...(stored.info === undefined ? {} : { info: structuredClone(stored.info) }),
    };
    stored.lastLookup = Timestamp.now();
    return result;
  }

  /** Forgets the session; an unknown key is fine. */
  onSessionClosed(key: string): void {
    this.#sessions.delete(key);
  }
}
