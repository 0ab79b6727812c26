/**
 * The rule of session expiry that every session manager applies: a session expires at its
 * creation plus the maximum age, held or not, and, while no connection holds it, at its last
 * use (release or lookup) plus the idle timeout.
 *
 * @example
 * ```ts
 * import { isExpired } from "./session_expiry_rule.ts";
 * const expiry = { idleTimeout: 1000, maxAge: 0 };
 * console.assert(isExpired(expiry, { creation: 0, lastUse: 0 }, 1000));
 * console.assert(!isExpired(expiry, { creation: 0, lastUse: null }, 1000)); // held
 * ```
 * @module
 */

import type { SessionExpiry } from "./session_manager.ts";

/**
 * When a session was created and, if no connection holds it, last used (milliseconds since
 * the epoch).
 *
 * @example
 * ```ts
 * import type { SessionTimes } from "./session_expiry_rule.ts";
 * const held: SessionTimes = { creation: Date.now(), lastUse: null };
 * console.assert(held.lastUse === null);
 * ```
 */
export interface SessionTimes {
  /** Creation time. */
  readonly creation: number;
  /** Last release or lookup while unheld; `null` while a connection holds the session. */
  readonly lastUse: number | null;
}

/**
 * Whether a session with these times has expired at `now` under `expiry` (0 means never).
 *
 * @example
 * ```ts
 * import { isExpired } from "./session_expiry_rule.ts";
 * console.assert(isExpired({ idleTimeout: 0, maxAge: 10 }, { creation: 0, lastUse: null }, 10));
 * ```
 */
export function isExpired(expiry: SessionExpiry, times: SessionTimes, now: number): boolean {
  if (expiry.maxAge > 0 && times.creation + expiry.maxAge <= now) return true;
  return expiry.idleTimeout > 0 && times.lastUse !== null &&
    times.lastUse + expiry.idleTimeout <= now;
}
