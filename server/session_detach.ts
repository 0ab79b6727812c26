/**
 * How a connection lets go of its session: deregistered at once, then its slot freed and, when
 * nobody holds the session any more, the session kept for a restore, destroyed, or only dropped
 * here after a close. Internal to the server core.
 *
 * @example
 * ```ts
 * import { detachSession } from "./session_detach.ts";
 * import type { SessionHost } from "./session_host.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const sessions = new SessionRegistry<string>(0);
 * sessions.register("key", "connection A");
 * const released: string[] = [];
 * const host = {
 *   owner: "connection A",
 *   sessions,
 *   lifecycle: {
 *     unheld() {},
 *     release: () => 0,
 *     released: (key: string) => void released.push(key),
 *   },
 * } as unknown as SessionHost<string>;
 * const session = { key: "key", creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * await detachSession(host, session, "keep");
 * console.assert(released[0] === "key"); // stored, its idle clock started
 * ```
 * @module
 */

import type { Session } from "../session/session_manager.ts";
import type { SessionHost } from "./session_host.ts";

/**
 * Detaches `session` from the host's connection. When nobody holds it any more: `destroy`
 * destroys it (the session manager forgets it), `keep` leaves it stored for a restore, and
 * `closed` (closed by `Server.closeSession`, which forgets it) only drops what this server kept
 * for it. The connection is deregistered before the first `await`: a caller may attach
 * another session in the same step.
 *
 * @example
 * ```ts
 * import { detachSession } from "./session_detach.ts";
 * import type { SessionHost } from "./session_host.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const sessions = new SessionRegistry<string>(0);
 * sessions.register("key", "A");
 * sessions.register("key", "B");
 * const host = {
 *   owner: "A", sessions, lifecycle: { unheld() {}, release: () => 1, released() {} },
 * } as unknown as SessionHost<string>;
 * const now = Timestamp.now();
 * await detachSession(host, { key: "key", creation: now, lastLookup: now }, "keep");
 * console.assert(sessions.holders("key").size === 1); // B still holds it
 * ```
 */
export async function detachSession<C>(
  host: SessionHost<C>,
  session: Session,
  then: "destroy" | "keep" | "closed",
): Promise<void> {
  const { lifecycle, sessions } = host;
  const localRemaining = sessions.deregister(session.key, host.owner);
  if (localRemaining === -1) return;
  if (then !== "keep" && host.isOpen) host.ended?.(session);
  if (localRemaining === 0) lifecycle.unheld(session.key);
  if (then === "closed") {
    if (localRemaining === 0) lifecycle.destroyed(session.key);
    return await lifecycle.giveBack(session.key);
  }
  if (then === "keep") {
    const counted = lifecycle.release(session.key, localRemaining);
    if ((typeof counted === "number" ? counted : await counted) === 0) {
      await lifecycle.released(session.key);
    }
    return;
  }
  try {
    const counted = lifecycle.release(session.key, localRemaining);
    if ((typeof counted === "number" ? counted : await counted) !== 0) return;
    // From the count on, restores of the session under way here are overtaken: one that was
    // looking it up (and may have found it before the manager forgot it) must not attach it.
    await lifecycle.destroy(session.key);
  } catch (error) {
    // A logout must not leave the session restorable once the store answers again.
    lifecycle.destroyLater(session.key);
    throw error;
  }
}
