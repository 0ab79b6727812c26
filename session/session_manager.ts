/**
 * The pluggable storage of sessions: the server calls a `SessionManager` when a session is
 * created, looked up for a restore, and closed for good.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { serveDeno } from "../adapters/deno.ts";
 * import { Client } from "../client.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * import type { Session, SessionManager } from "./session_manager.ts";
 * const sessions = new Map<string, Session>();
 * const manager: SessionManager = {
 *   onSessionCreated: (session) => void sessions.set(session.key, session),
 *   onSessionLookup: (key) => {
 *     const session = sessions.get(key);
 *     if (session !== undefined) sessions.set(key, { ...session, lastLookup: Timestamp.now() });
 *     return session ?? null;
 *   },
 *   onSessionClosed: (key) => void sessions.delete(key),
 * };
 * const running = serveDeno(new Server({
 *   sessionManager: manager,
 *   onRequest: async (request) => void await request.connection.createSession({ user: "ada" }),
 * }));
 * const client = new Client(running.url);
 * await client.request("login");
 * console.assert(sessions.get(client.session?.key ?? "")?.info?.user === "ada");
 * await client.closeSession();
 * console.assert(sessions.size === 0);
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import type { Session, SessionInfo } from "../protocol/session_json.ts";

/** The session type lives next to the session JSON that carries it; re-exported here. */
export type { Session };
import type { Timestamp } from "../protocol/timestamp.ts";

/**
 * What a lookup finds: the stored session without its key.
 *
 * @example
 * ```ts
 * import type { SessionLookupResult } from "./session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const r: SessionLookupResult = { creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * console.assert(r.info === undefined);
 * ```
 */
export interface SessionLookupResult {
  /** When the session was created. */
  readonly creation: Timestamp;
  /** When the session was looked up before this lookup. */
  readonly lastLookup: Timestamp;
  /** The stored info fields. */
  readonly info?: SessionInfo;
}

/**
 * When sessions expire, as the server's `sessionIdleTimeout` and `sessionMaxAge` options say.
 * A value of 0 means never.
 *
 * @example
 * ```ts
 * import type { SessionExpiry } from "./session_manager.ts";
 * const expiry: SessionExpiry = { idleTimeout: 30 * 60_000, maxAge: 0 };
 * console.assert(expiry.maxAge === 0);
 * ```
 */
export interface SessionExpiry {
  /**
   * Milliseconds a session that no connection holds may stay unused (since its last release or
   * lookup) before it expires; 0 for never.
   */
  readonly idleTimeout: number;
  /** Milliseconds after its creation at which a session expires, held or not; 0 for never. */
  readonly maxAge: number;
  /**
   * Given by the server (as a field that is not enumerable: copy it by name, not with a spread):
   * a manager calls it with the key of each expired session that its `sweepExpired` forgets, so
   * that the server forgets what it kept for the session (signals sent while it was offline). A
   * manager that does not call it still works: such signals are dropped when they grow older
   * than `offlineSignals.maxAge`.
   */
  readonly forgotten?: (key: string) => void;
}

/**
 * Stores sessions for a server. Methods may be synchronous or return promises; an error
 * thrown by `onSessionLookup` makes the server answer the restore with an internal error.
 *
 * The three optional methods are what session expiry needs; a manager without them works as
 * before, but a server refuses `sessionIdleTimeout` and `sessionMaxAge` with it. A session is
 * held from its creation or a lookup that found it until the server releases it.
 *
 * @example
 * ```ts
 * import { MemorySessionManager } from "./memory_session_manager.ts";
 * import type { SessionManager } from "./session_manager.ts";
 * const manager: SessionManager = new MemorySessionManager();
 * console.assert(manager !== null);
 * ```
 */
export interface SessionManager {
  /**
   * Persists a session that a connection has just created. A key that another session
   * already has (one that has not expired) should be refused with a `SessionKeyTakenError`,
   * leaving that session as it is, as the built-in managers do: a key generator that repeats
   * a key would otherwise hand one user's session to another.
   */
  onSessionCreated(session: Session): void | Promise<void>;
  /**
   * Finds a session by the key a client sent (untrusted input: validate it before it reaches
   * storage) and records the lookup time. Resolves to `null` when there is no such session.
   * Without {@link hasSession}, the server also asks it to check the sessions it holds.
   */
  onSessionLookup(key: string): SessionLookupResult | null | Promise<SessionLookupResult | null>;
  /**
   * Whether the session is stored, without recording a lookup or changing its expiry. A node
   * of a cluster whose link to the other nodes was cut asks it, once the link is back, for
   * every session its connections hold, and detaches those gone (closed on another node
   * meanwhile). Optional: without it the server calls {@link onSessionLookup} instead, for
   * sessions still held when it asks.
   */
  hasSession?(key: string): boolean | Promise<boolean>;
  /** Forgets a session that was closed for good (its last connection detached or closed it). */
  onSessionClosed(key: string): void | Promise<void>;
  /**
   * Forgets `session`, one given to {@link onSessionCreated} that no connection took after
   * all (its store failed for another reason than a taken key, such as a timeout, and may have
   * happened; or its connection closed first), but only while the key still has that session
   * (the same creation time, {@link Timestamp.isSameInstant}): a session of the key stored
   * before or since, another user's under a key generator that repeats keys, stays. Optional:
   * without it the server calls {@link onSessionClosed}, which forgets whatever the key has.
   * The built-in managers have it: a subclass of one that overrides `onSessionClosed` (to
   * audit, or clean up) should override this too.
   */
  onSessionUnused?(session: Session): void | Promise<void>;
  /**
   * Expiry: no connection of this server holds the session any more (it stays stored and may
   * be restored); its idle time counts from now.
   */
  onSessionReleased?(key: string): void | Promise<void>;
  /**
   * Expiry: the server's settings, given once before any other call when the server has
   * `sessionIdleTimeout` or `sessionMaxAge`. From then on a lookup of an expired session
   * forgets it and resolves to `null`.
   */
  useExpiry?(expiry: SessionExpiry): void;
  /**
   * Expiry: forgets expired sessions that no connection holds, doing a bounded amount of work
   * per call; the server calls it when it starts and then periodically. Resolves to how many
   * sessions were forgotten.
   */
  sweepExpired?(): number | Promise<number>;
}

/**
 * Makes new session keys.
 *
 * @example
 * ```ts
 * import type { SessionKeyGenerator } from "./session_manager.ts";
 * // Random: a counter would repeat its keys after a restart, while stored sessions remain.
 * const generator: SessionKeyGenerator = { generate: () => crypto.randomUUID() };
 * console.assert(generator.generate() !== generator.generate());
 * ```
 */
export interface SessionKeyGenerator {
  /**
   * A new, unique, unguessable key of printable ASCII. The default `FileSessionManager` stores
   * keys of 1 to 200 characters of `A-Z a-z 0-9 _ - = .` not starting with a dot (file names).
   */
  generate(): string;
}
