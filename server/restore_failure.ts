/**
 * What a client's restore-session request does when it does not attach the session: gives back
 * what it took, forgets a session found too old, and logs failures of the store without
 * flooding the log. Internal to the server core.
 *
 * @example
 * ```ts
 * import { logRestoreFailure } from "./restore_failure.ts";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const lines: string[] = [];
 * const host = {
 *   restoreFailures: new PowersOfTenLog(),
 *   logger: { warn() {}, error: (line: string) => void lines.push(line) },
 * } as unknown as SessionHost<string>;
 * for (let i = 0; i < 12; i++) logRestoreFailure(host, "session lookup", new Error("away"));
 * console.assert(lines.length === 2); // the 1st and the 10th
 * ```
 * @module
 */

import type { SessionCloseWatch } from "./session_closes.ts";
import type { SessionHost } from "./session_host.ts";
import { releaseUnusedSlot } from "./unused_session_slot.ts";

/**
 * A restore of `key` does not attach it: it stops watching for closes (so that its own release
 * does not count it as a restore under way) and gives its slot back (`found`: releases it).
 * Signals that came for the session meanwhile (published in a cluster because the restore's slot
 * counted as a holder) are kept with the release of the slot, when the session was `found` and
 * nobody holds it (any holder got them).
 *
 * @example
 * ```ts
 * import { giveUpRestore } from "./restore_failure.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import type { SessionHost } from "./session_host.ts";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * const closes = new SessionCloses();
 * const host = {
 *   lifecycle: { giveBack: () => {} },
 *   giveBackFailures: new PowersOfTenLog(),
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * await giveUpRestore(host, "key", closes.watch("key"), false);
 * console.assert(!closes.isRestoring("key"));
 * ```
 */
export async function giveUpRestore<C>(
  host: SessionHost<C>,
  key: string,
  closes: SessionCloseWatch,
  found: boolean,
): Promise<void> {
  const held = closes.takeHeld();
  closes.end();
  // Nothing taken: they go after what is kept, with the release (none sent after it between).
  await releaseUnusedSlot(host, key, found, held);
}

/**
 * Logs a step of a restore that failed (the store unreachable) at the 1st, 10th, 100th, ...
 * failure since a lookup worked: a long outage with many clients restoring is a few lines.
 *
 * @example
 * ```ts
 * import { logRestoreFailure } from "./restore_failure.ts";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * import type { SessionHost } from "./session_host.ts";
 * const host = { restoreFailures: new PowersOfTenLog(), logger: console } as unknown as
 *   SessionHost<string>;
 * logRestoreFailure(host, "taking a session slot", new Error("Redis is away")); // logged
 * ```
 */
export function logRestoreFailure<C>(host: SessionHost<C>, step: string, error: unknown): void {
  const failures = host.restoreFailures;
  if (!failures.tally()) return;
  host.logger.error(
    `${step} failed (${failures.count} restore failures since a lookup worked)`,
    error,
  );
}

/**
 * Forgets a stored session that a restore found too old; a failure is logged (the restore fails
 * anyway). Connections of this server still holding it have it closed (`SessionLifecycle.lost`).
 *
 * @example
 * ```ts
 * import { destroyStoredSession } from "./restore_failure.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { Timestamp } from "@webwire/webwire/protocol";
 * import type { SessionHost } from "./session_host.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * const sessionManager = new MemorySessionManager();
 * const now = Timestamp.now();
 * sessionManager.onSessionCreated({ key: "key", creation: now, lastLookup: now });
 * const host = {
 *   lifecycle: { destroyed() {} }, sessions: new SessionRegistry(0), sessionManager,
 *   logger: console,
 * } as unknown as SessionHost<string>;
 * await destroyStoredSession(host, "key");
 * console.assert(sessionManager.size === 0);
 * ```
 */
export async function destroyStoredSession<C>(host: SessionHost<C>, key: string): Promise<void> {
  if (host.sessions.holders(key).size > 0) return void host.lifecycle.lost(key);
  host.lifecycle.destroyed(key);
  try {
    await host.sessionManager.onSessionClosed(key);
  } catch (error) {
    host.logger.error("destroying an expired session failed", error);
  }
}
