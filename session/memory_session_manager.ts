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

import { Timestamp } from "../protocol/timestamp.ts";
import { isExpired } from "./session_expiry_rule.ts";
import { SessionKeyTakenError } from "./session_key_taken_error.ts";
import type {
  Session,
  SessionExpiry,
  SessionLookupResult,
  SessionManager,
} from "./session_manager.ts";

interface StoredSession {
  creation: Timestamp;
  lastLookup: Timestamp;
  /** The info as JSON, as the other managers keep it: each lookup gets its own copy. */
  infoJson?: string;
  /** Whether a connection holds it (from creation or lookup until release). */
  held: boolean;
  /** Milliseconds since the epoch of the last release or lookup. */
  lastUse: number;
}

/**
 * Options of a {@link MemorySessionManager}.
 *
 * @example
 * ```ts
 * import type { MemorySessionManagerOptions } from "./memory_session_manager.ts";
 * let now = 0;
 * const options: MemorySessionManagerOptions = { clock: () => now };
 * console.assert(options.clock!() === 0);
 * ```
 */
export interface MemorySessionManagerOptions {
  /** Milliseconds since the epoch, for expiry; default `Date.now` (tests pass their own). */
  clock?: () => number;
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
  readonly #clock: () => number;
  #expiry: SessionExpiry = { idleTimeout: 0, maxAge: 0 };

  /** Creates an empty store. */
  constructor(options: MemorySessionManagerOptions = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  /** How many sessions are stored. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Stores the session under its key; an expired session of that key is replaced.
   *
   * @throws {SessionKeyTakenError} when a session that has not expired has the key (the key
   *   generator repeated a key); that session is left as it is.
   */
  onSessionCreated(session: Session): void {
    const taken = this.#sessions.get(session.key);
    if (taken !== undefined && !this.#isExpired(taken, this.#clock())) {
      throw new SessionKeyTakenError();
    }
    const stored: StoredSession = {
      creation: session.creation,
      lastLookup: session.lastLookup,
      held: true,
      lastUse: this.#clock(),
    };
    if (session.info !== undefined) stored.infoJson = JSON.stringify(session.info);
    this.#sessions.set(session.key, stored);
  }

  /**
   * Finds a session, records now as its last lookup and returns its values from before; an
   * expired session is forgotten and not found.
   */
  onSessionLookup(key: string): SessionLookupResult | null {
    const stored = this.#sessions.get(key);
    if (stored === undefined) return null;
    const now = this.#clock();
    if (this.#isExpired(stored, now)) {
      this.#sessions.delete(key);
      return null;
    }
    const result: SessionLookupResult = {
      creation: stored.creation,
      lastLookup: stored.lastLookup,
      ...(stored.infoJson === undefined ? {} : { info: JSON.parse(stored.infoJson) }),
    };
    stored.lastLookup = Timestamp.now();
    stored.held = true;
    stored.lastUse = now;
    return result;
  }

  /** Whether the session is stored and not expired; changes nothing. */
  hasSession(key: string): boolean {
    const stored = this.#sessions.get(key);
    return stored !== undefined && !this.#isExpired(stored, this.#clock());
  }

  /** Forgets the session; an unknown key is fine. */
  onSessionClosed(key: string): void {
    this.#sessions.delete(key);
  }

  /**
   * Forgets `session` if its key still has it (the same creation time); a session of the key
   * stored before or since stays.
   */
  onSessionUnused(session: Session): void {
    const stored = this.#sessions.get(session.key);
    if (stored?.creation.isSameInstant(session.creation)) this.#sessions.delete(session.key);
  }

  /** Expiry: the server's settings, kept as given (with their `forgotten`). */
  useExpiry(expiry: SessionExpiry): void {
    this.#expiry = expiry;
  }

  /** Expiry: no connection holds the session any more; its idle time starts now. */
  onSessionReleased(key: string): void {
    const stored = this.#sessions.get(key);
    if (stored === undefined) return;
    stored.held = false;
    stored.lastUse = this.#clock();
  }

  /** Expiry: forgets every expired session that no connection holds; returns how many. */
  sweepExpired(): number {
    const now = this.#clock();
    let removed = 0;
    for (const [key, stored] of this.#sessions) {
      if (stored.held || !this.#isExpired(stored, now)) continue;
      this.#sessions.delete(key);
      this.#expiry.forgotten?.(key);
      removed++;
    }
    return removed;
  }

  #isExpired(stored: StoredSession, now: number): boolean {
    return isExpired(this.#expiry, {
      creation: stored.creation.toDate().getTime(),
      lastUse: stored.held ? null : stored.lastUse,
    }, now);
  }
}
