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
 * What a restore did not write of the signals it took and held, when its connection dropped
 * while it wrote them (see `SessionLifecycle.release`).
 *
 * @example
 * ```ts
 * import type { Unwritten } from "./session_detach.ts";
 * const unwritten: Unwritten = { taken: null, held: [] }; // it took nothing, held nothing
 * console.assert(unwritten.held.length === 0);
 * ```
 */
export interface Unwritten {
  /** Signals taken of those kept for the session and not written; `null`: it took nothing. */
  readonly taken: readonly Uint8Array[] | null;
  /** Signals that reached the restore while it held the session and were not written. */
  readonly held: readonly Uint8Array[];
}

/**
 * What a restore did not write of the signals it `taken`, then those it `held`, when it wrote
 * `written` of them, and `unsent` pushes to the session after them; `null` when it wrote all.
 *
 * @example
 * ```ts
 * import { unwrittenOf } from "./session_detach.ts";
 * const [a, b, c] = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
 * const unwritten = unwrittenOf([a, b], [c], 1, []); // its connection dropped after `a`
 * console.assert(unwritten?.taken?.[0] === b && unwritten.held[0] === c);
 * console.assert(unwrittenOf([a], [], 1, []) === null);
 * ```
 */
export function unwrittenOf(
  taken: readonly Uint8Array[] | null,
  held: readonly Uint8Array[],
  written: number,
  unsent: readonly Uint8Array[],
): Unwritten | null {
  const takenCount = taken?.length ?? 0;
  if (written >= takenCount + held.length && unsent.length === 0) return null;
  return {
    taken: taken?.slice(written) ?? null,
    held: [...held.slice(Math.max(0, written - takenCount)), ...unsent],
  };
}

/**
 * Detaches `session` from the host's connection. When nobody holds it any more: `destroy`
 * destroys it (the session manager forgets it), `keep` leaves it stored for a restore, and
 * `closed` (closed by `Server.closeSession`, which forgets it) only drops what this server kept
 * for it. The connection is deregistered before the first `await`: a caller may attach
 * another session in the same step. With `keep`, `unwritten` (a restore still writing what it
 * took and held) delays the release until the restore knows what it did not write, which goes
 * back in the same step with the signals that reached this server for the session meanwhile
 * (the slot still counts): a restore elsewhere in between would find none of it.
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
  unwritten?: Promise<Unwritten | null>,
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
    const given = unwritten === undefined ? null : await returned(host, session.key, unwritten);
    const counted = given === null
      ? lifecycle.release(session.key, localRemaining)
      : lifecycle.release(session.key, sessions.holders(session.key).size, given.held, given.taken);
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

/**
 * What a restore did not write, once it knows, with the signals that reached this server for
 * session `key` meanwhile after it (its slot counts until then, so a cluster sends them here,
 * where no connection holds the session any more): they go back with the rest. `null` when
 * there is nothing to give back.
 */
async function returned(
  host: SessionHost<unknown>,
  key: string,
  unwritten: Promise<Unwritten | null>,
): Promise<Unwritten | null> {
  const watch = host.closes.watch(key);
  const given = await unwritten.catch(() => null); // settles, never fails: a watch must end
  const late = watch.takeHeld();
  watch.end();
  if (late.length === 0) return given;
  return { taken: given?.taken ?? null, held: [...(given?.held ?? []), ...late] };
}
