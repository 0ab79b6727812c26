/**
 * Detaching the connections that hold sessions the session manager no longer has: what a node
 * of a cluster does when its link was cut and it may have missed another node's close of a
 * session. A held session is always stored (it is stored before it is attached), so a held key
 * that the manager does not have was closed meanwhile. Internal to the server core.
 *
 * @example
 * ```ts
 * import { detachForgottenSessions } from "./forgotten_sessions.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const detached: string[] = [];
 * const holder = {
 *   closeSessionKey(key: string) {
 *     detached.push(key); // a connection would send session-closed to its client here
 *     return Promise.resolve(true);
 *   },
 * };
 * const sessions = new SessionRegistry<typeof holder>(0);
 * sessions.register("closed elsewhere", holder);
 * const result = await detachForgottenSessions({
 *   sessions, sessionCloses: new SessionCloses(), sessionManager: new MemorySessionManager(),
 *   logger: console,
 * });
 * console.assert(result.detached === 1 && detached[0] === "closed elsewhere");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { SessionManager } from "../session/session_manager.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { SessionRegistry } from "./session_registry.ts";

/** Checks at a time: a node with many sessions must not flood the session manager. */
const checksAtOnce = 32;

/**
 * A connection that holds a session, as {@link detachForgottenSessions} needs it.
 *
 * @example
 * ```ts
 * import type { SessionHolder } from "./forgotten_sessions.ts";
 * const holder: SessionHolder = { closeSessionKey: () => Promise.resolve(false) };
 * console.assert(typeof holder.closeSessionKey === "function");
 * ```
 */
export interface SessionHolder {
  /** Detaches the session `key` if still held and tells the client: whether it was held. */
  closeSessionKey(key: string): Promise<boolean>;
}

/**
 * What {@link detachForgottenSessions} works on.
 *
 * @example
 * ```ts
 * import type { ForgottenSessionParts } from "./forgotten_sessions.ts";
 * const logged = (parts: ForgottenSessionParts<never>) => parts.logger;
 * console.assert(typeof logged === "function");
 * ```
 */
export interface ForgottenSessionParts<C extends SessionHolder> {
  /** Which connections hold which session. */
  readonly sessions: SessionRegistry<C>;
  /** Closes running: a restore still looking a forgotten session up fails too. */
  readonly sessionCloses: SessionCloses;
  /** Session storage. */
  readonly sessionManager: SessionManager;
  /** Where failed checks are reported (once per call). */
  readonly logger: Logger;
}

/**
 * What {@link detachForgottenSessions} did.
 *
 * @example
 * ```ts
 * import type { ForgottenSessionsResult } from "./forgotten_sessions.ts";
 * const result: ForgottenSessionsResult = { detached: 0, failed: ["k"] };
 * console.assert(result.failed.length === 1); // "k" could not be checked: try it again later
 * ```
 */
export interface ForgottenSessionsResult {
  /** How many connections were detached. */
  readonly detached: number;
  /** The keys whose check failed (still held): worth another try. */
  readonly failed: readonly string[];
}

/**
 * Checks every session held on this server (or the given `keys`), a few at a time, and
 * detaches the connections holding one the manager no longer has. The check is the manager's
 * `hasSession`; a manager without it is asked `onSessionLookup`, for sessions still held then.
 * A check that fails leaves its session held; the failures are logged once, with their count.
 *
 * @example
 * ```ts
 * import { detachForgottenSessions } from "./forgotten_sessions.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { Timestamp } from "@webwire/webwire/protocol";
 * const manager = new MemorySessionManager();
 * const now = Timestamp.now();
 * manager.onSessionCreated({ key: "alive", creation: now, lastLookup: now });
 * const holder = { closeSessionKey: () => Promise.resolve(true) };
 * const sessions = new SessionRegistry<typeof holder>(0);
 * sessions.register("alive", holder);
 * const parts = {
 *   sessions, sessionCloses: new SessionCloses(), sessionManager: manager, logger: console,
 * };
 * console.assert((await detachForgottenSessions(parts)).detached === 0); // still stored: kept
 * ```
 */
export async function detachForgottenSessions<C extends SessionHolder>(
  parts: ForgottenSessionParts<C>,
  keys: readonly string[] = parts.sessions.keys(),
): Promise<ForgottenSessionsResult> {
  let detached = 0;
  const failed: string[] = [];
  let lastError: unknown;
  let next = 0;
  const work = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      try {
        if (await isStored(parts, key)) continue;
      } catch (error) {
        failed.push(key);
        lastError = error;
        continue;
      }
      parts.sessionCloses.overtake(key);
      detached += await detachHolders(parts.sessions, key);
    }
  };
  await Promise.all(Array.from({ length: Math.min(checksAtOnce, keys.length) }, work));
  if (failed.length > 0) {
    parts.logger.error(
      `checking ${failed.length} held sessions against the session manager failed`,
      lastError,
    );
  }
  return { detached, failed };
}

/**
 * Detaches every connection of this server that holds `key` (each tells its client), once
 * their earlier session operations are done: how many held it by then.
 *
 * @example
 * ```ts
 * import { detachHolders } from "./forgotten_sessions.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * const holder = { closeSessionKey: () => Promise.resolve(true) };
 * const sessions = new SessionRegistry<typeof holder>(0);
 * sessions.register("k", holder);
 * console.assert((await detachHolders(sessions, "k")) === 1);
 * ```
 */
export async function detachHolders<C extends SessionHolder>(
  sessions: SessionRegistry<C>,
  key: string,
): Promise<number> {
  const held = await Promise.all(
    sessions.connections(key).map((holder) => holder.closeSessionKey(key)),
  );
  return held.filter((wasHeld) => wasHeld).length;
}

/** Whether `key` is still stored; a key nobody holds any more counts as stored (no lookup). */
async function isStored<C extends SessionHolder>(
  parts: ForgottenSessionParts<C>,
  key: string,
): Promise<boolean> {
  const manager = parts.sessionManager;
  if (manager.hasSession !== undefined) return await manager.hasSession(key);
  // A lookup marks the session as in use: only for one that is still held.
  if (parts.sessions.holders(key).size === 0) return true;
  return await manager.onSessionLookup(key) !== null;
}
