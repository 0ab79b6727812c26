/**
 * Giving back the slot a connection took for a session it did not attach to (a restore that
 * failed, was refused or overtaken, or a create that did not store). Internal to the server
 * core.
 *
 * @example
 * ```ts
 * import { releaseUnusedSlot } from "./unused_session_slot.ts";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const lines: string[] = [];
 * const host = {
 *   lifecycle: { giveBack: () => Promise.reject(new Error("Redis is away")) },
 *   giveBackFailures: new PowersOfTenLog(),
 *   logger: { warn() {}, error: (line: string) => void lines.push(line) },
 * } as unknown as SessionHost<string>;
 * for (let i = 0; i < 12; i++) await releaseUnusedSlot(host, `key ${i}`, false);
 * console.assert(lines.length === 2); // the 1st and the 10th
 * ```
 * @module
 */

import type { SessionHost } from "./session_host.ts";

/**
 * Gives back a slot taken for session `key` that this connection did not attach to; with
 * `found`, the manager had found (and so holds) the session and hears of its release if nobody
 * holds it, and signals `held` meanwhile are kept with the release if nobody holds it (else
 * they are dropped: the session is gone). A failure is never thrown, and logged at the 1st,
 * 10th, 100th, ... since a give-back worked (a cluster's Redis away fails every restore in
 * flight).
 *
 * @example
 * ```ts
 * import { releaseUnusedSlot } from "./unused_session_slot.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const released: string[] = [];
 * const host = {
 *   lifecycle: { release: () => 0, released: (key: string) => void released.push(key) },
 *   sessions: { holders: () => new Set() },
 *   giveBackFailures: { reset() {} },
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
  const { lifecycle, giveBackFailures: failures } = host;
  try {
    if (found) {
      const remaining = await lifecycle.release(key, host.sessions.holders(key).size, held);
      if (remaining === 0) lifecycle.released(key);
    } else {
      await lifecycle.giveBack(key);
    }
    failures.reset();
  } catch (error) {
    if (!failures.tally()) return;
    host.logger.error(
      `giving back a session slot failed (${failures.count} since one worked)`,
      error,
    );
  }
}
