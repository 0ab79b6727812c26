/**
 * Session expiry on the server's side: checks the settings against the session manager, sweeps
 * the manager's expired sessions periodically, and closes held sessions that reach their
 * maximum age. Internal to the server core.
 *
 * @example
 * ```ts
 * import { SessionExpiryClock } from "./session_expiry.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const clock = new SessionExpiryClock({}, new MemorySessionManager(), () => {}, console);
 * console.assert(!clock.enabled);
 * clock.stop();
 * ```
 * @module
 */

import { maxTimerDelay } from "../client/timer_delay.ts";
import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { Session, SessionExpiry, SessionManager } from "../session/session_manager.ts";
import { unrefTimer } from "./unref_timer.ts";

/**
 * The expiry settings of a server (`sessionIdleTimeout`, `sessionMaxAge`).
 *
 * @example
 * ```ts
 * import type { SessionExpiryOptions } from "./session_expiry.ts";
 * const options: SessionExpiryOptions = { sessionMaxAge: 24 * 3600_000 };
 * console.assert(options.sessionIdleTimeout === undefined);
 * ```
 */
export interface SessionExpiryOptions {
  /** Milliseconds an unheld session may stay unused; 0 or absent for never. */
  readonly sessionIdleTimeout?: number;
  /** Milliseconds after creation at which a session expires; 0 or absent for never. */
  readonly sessionMaxAge?: number;
}

/**
 * Drives session expiry for one server.
 *
 * @example
 * ```ts
 * import { SessionExpiryClock } from "./session_expiry.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const closed: string[] = [];
 * const clock = new SessionExpiryClock(
 *   { sessionMaxAge: 60_000 },
 *   new MemorySessionManager(),
 *   (key) => closed.push(key),
 *   console,
 * );
 * console.assert(clock.enabled && clock.expiry.maxAge === 60_000);
 * clock.stop();
 * ```
 */
export class SessionExpiryClock {
  /** The settings in force (0 for never). */
  readonly expiry: SessionExpiry;
  readonly #manager: SessionManager;
  readonly #closeSession: (key: string) => void;
  readonly #logger: Logger;
  /** The held sessions' maximum-age timers, with the wall-clock time each session ends at. */
  readonly #maxAgeTimers = new Map<
    string,
    { readonly timer: ReturnType<typeof setTimeout>; readonly end: number }
  >();
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #sweeping = false;
  /** Sweeps failing in a row (an unreadable directory fails every one): logged 1st, 10th, ... */
  readonly #sweepFailures = new PowersOfTenLog();
  #stopped = false;

  /**
   * Checks the settings, hands them to the manager and starts sweeping (at once, then
   * periodically). `closeSession` is called for a held session that reaches its maximum age,
   * `forgotten` for each expired session the manager's sweep forgets.
   *
   * @throws {RangeError} for a negative or fractional setting.
   * @throws {TypeError} when expiry is asked of a manager that does not support it.
   */
  constructor(
    options: SessionExpiryOptions,
    manager: SessionManager,
    closeSession: (key: string) => void,
    logger: Logger,
    forgotten: (key: string) => void = () => {},
  ) {
    this.expiry = {
      idleTimeout: duration("sessionIdleTimeout", options.sessionIdleTimeout),
      maxAge: duration("sessionMaxAge", options.sessionMaxAge),
    };
    // Not enumerable: a manager that copies or checks the settings field by field sees the two
    // durations it always saw.
    Object.defineProperty(this.expiry, "forgotten", { value: forgotten, enumerable: false });
    this.#manager = manager;
    this.#closeSession = closeSession;
    this.#logger = logger;
    if (!this.enabled) return;
    const lacking = (["useExpiry", "onSessionReleased", "sweepExpired"] as const)
      .filter((method) => typeof manager[method] !== "function");
    if (lacking.length > 0) {
      throw new TypeError(
        `sessionIdleTimeout and sessionMaxAge need a session manager with useExpiry(),` +
          ` onSessionReleased() and sweepExpired(); this one lacks ${lacking.join(", ")}` +
          ` (MemorySessionManager, FileSessionManager and RedisSessionManager have them)`,
      );
    }
    manager.useExpiry!(this.expiry);
    this.#scheduleSweep(0);
  }

  /** Whether any expiry is set. */
  get enabled(): boolean {
    return this.expiry.idleTimeout > 0 || this.expiry.maxAge > 0;
  }

  /** Whether a session created at `creation` has passed its maximum age at `now` (ms). */
  isTooOld(creation: Session["creation"], now = Date.now()): boolean {
    return this.expiry.maxAge > 0 &&
      creation.toDate().getTime() + this.expiry.maxAge <= now;
  }

  /** A connection of this server holds the session now: its maximum age is watched. */
  held(session: Session): void {
    if (this.expiry.maxAge === 0 || this.#stopped || this.#maxAgeTimers.has(session.key)) {
      return;
    }
    const end = session.creation.toDate().getTime() + this.expiry.maxAge;
    this.#watch(session.key, end);
  }

  /** No connection of this server holds the session any more. */
  unheld(key: string): void {
    clearTimeout(this.#maxAgeTimers.get(key)?.timer);
    this.#maxAgeTimers.delete(key);
  }

  /** Stops every timer (the server shut down). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#sweepTimer);
    for (const { timer } of this.#maxAgeTimers.values()) clearTimeout(timer);
    this.#maxAgeTimers.clear();
  }

  #watch(key: string, end: number): void {
    const timer = setTimeout(() => {
      this.#maxAgeTimers.delete(key);
      if (Date.now() < end) return this.#watch(key, end);
      this.#closeSession(key);
    }, powerOfTwoAtMost(end - Date.now()));
    this.#maxAgeTimers.set(key, { timer, end });
  }

  /**
   * Closes the held sessions whose maximum age has passed by the wall clock, as a lookup or a
   * sweep of the manager sees it: their timers run on a clock that a step of the system's clock
   * (NTP, a resumed virtual machine) does not move, and may look only much later.
   */
  #closeTooOld(): void {
    const now = Date.now();
    for (const [key, { timer, end }] of this.#maxAgeTimers) {
      if (end > now) continue;
      clearTimeout(timer);
      this.#maxAgeTimers.delete(key);
      this.#closeSession(key);
    }
  }

  /** Sweeps as often as half the shortest setting, from once a second to once a minute. */
  get #sweepInterval(): number {
    const settings = [this.expiry.idleTimeout, this.expiry.maxAge].filter((ms) => ms > 0);
    return Math.min(60_000, Math.max(1000, Math.min(...settings) / 2));
  }

  #scheduleSweep(delay: number): void {
    if (this.#stopped) return;
    this.#sweepTimer = setTimeout(() => void this.#sweep(), delay);
    // A server never shut down (its listener gone) must not be kept alive by its sweeps.
    unrefTimer(this.#sweepTimer);
  }

  async #sweep(): Promise<void> {
    if (this.#sweeping || this.#stopped) return;
    this.#sweeping = true;
    this.#closeTooOld();
    try {
      await this.#manager.sweepExpired?.();
      this.#sweepFailures.reset();
    } catch (error) {
      if (this.#sweepFailures.tally()) {
        this.#logger.error(
          `sweeping expired sessions failed (${this.#sweepFailures.count} in a row)`,
          error,
        );
      }
    } finally {
      this.#sweeping = false;
      this.#scheduleSweep(this.#sweepInterval);
    }
  }
}

/**
 * The largest power of two of milliseconds within `ms` and what timers take (0 below 1 ms): a
 * watch fires early and watches again for the rest. Deno keeps the list of timers of a cleared
 * timer's exact delay until that delay is over: delays of "what is left" (one new delay per
 * watch) would keep ~150 bytes per watch cleared (a session left) for up to the maximum age.
 */
function powerOfTwoAtMost(ms: number): number {
  const whole = Math.floor(Math.min(ms, maxTimerDelay));
  return whole < 1 ? 0 : 2 ** (31 - Math.clz32(whole));
}

function duration(name: string, value: number | undefined): number {
  // `null` (from JSON, say) is the default, as for the server's other numeric options.
  const ms = value ?? 0;
  if (!(Number.isInteger(ms) && ms >= 0)) {
    throw new RangeError(`${name} must be a whole number of ms, 0 or more, got ${ms}`);
  }
  return ms;
}
