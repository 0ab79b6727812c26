/**
 * Giving back the slot a connection took for a session it did not attach to (a restore that
 * failed, was refused or overtaken, or a create that did not store). Internal to the server
 * core.
 *
 * @example
 * ```ts
 * import { releaseUnusedSlot } from "./unused_session_slot.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const given: string[] = [];
 * const host = {
 *   lifecycle: { giveBack: (key: string) => void given.push(key) },
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * await releaseUnusedSlot(host, "key", false);
 * console.assert(given[0] === "key");
 * ```
 * @module
 */

import type { SessionHost } from "./session_host.ts";

/**
 * Gives back a slot taken for session `key` that this connection did not attach to; with
 * `found`, the manager had found (and so holds) the session and hears of its release if nobody
 * holds it, and signals `held` meanwhile are kept with the release if nobody holds it (else
 * they are dropped: the session is gone). A failure is logged, never thrown.
 *
 * @example
 * ```ts
 * import { releaseUnusedSlot } from "./unused_session_slot.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const released: string[] = [];
 * const host = {
 *   lifecycle: { release: () => 0, released: (key: string) => void released.push(key) },
 *   sessions: { holders: () => new Set() },
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * await releaseUnusedSlot(host, "key", true); // nobody holds it: the manager hears of it
 * console.assert(released[0] === "key");
 * ```
 */
export async function releaseUnusedSlot<C>(
  host: SessionHost<C>,
  key: string,
  found: boolean,
  held: readonly Uint8Array[] = [],
): Promise<void> {
  const lifecycle = host.lifecycle;
  try {
    if (!found) return await lifecycle.giveBack(key);
    const remaining = await lifecycle.release(key, host.sessions.holders(key).size, held);
    if (remaining === 0) lifecycle.released(key);
  } catch (error) {
    host.logger.error("giving back a session slot failed", error);
  }
}
