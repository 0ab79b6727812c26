/**
 * Detaching the connections that hold sessions the session manager no longer has: what a node
 * of a cluster does when its link was cut and it may have missed another node's close of a
 * session. A held session is always stored (it is stored before it is attached), so a held key
 * that the manager does not know was closed meanwhile. Internal to the server core.
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
 * const count = await detachForgottenSessions({
 *   sessions, sessionCloses: new SessionCloses(), sessionManager: new MemorySessionManager(),
 *   logger: console,
 * });
 * console.assert(count === 1 && detached[0] === "closed elsewhere");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { SessionManager } from "../session/session_manager.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { SessionRegistry } from "./session_registry.ts";

/** Lookups at a time: a node with many sessions must not flood the session manager. */
const lookupsAtOnce = 32;

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
  /** Where failed lookups are reported (once per call). */
  readonly logger: Logger;
}

/**
 * Looks up every session held on this server (a few at a time) and detaches the connections
 * holding one the manager no longer has. Resolves to how many connections were detached. A
 * lookup that fails leaves its session held; the failures are logged once, with their count.
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
 * console.assert((await detachForgottenSessions(parts)) === 0); // still stored: kept
 * ```
 */
export async function detachForgottenSessions<C extends SessionHolder>(
  parts: ForgottenSessionParts<C>,
): Promise<number> {
  const keys = parts.sessions.keys();
  let detached = 0;
  let failed = 0;
  let lastError: unknown;
  let next = 0;
  const work = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      try {
        if (await parts.sessionManager.onSessionLookup(key) !== null) continue;
      } catch (error) {
        failed++;
        lastError = error;
        continue;
      }
      parts.sessionCloses.begin(key)();
      const held = await Promise.all(
        parts.sessions.connections(key).map((holder) => holder.closeSessionKey(key)),
      );
      detached += held.filter((wasHeld) => wasHeld).length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lookupsAtOnce, keys.length) }, work));
  if (failed > 0) {
    parts.logger.error(
      `checking ${failed} held sessions against the session manager failed`,
      lastError,
    );
  }
  return detached;
}
