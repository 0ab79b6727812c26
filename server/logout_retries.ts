/**
 * Destroys of logged-out sessions tried again: a client's close-session (or a handler's
 * `connection.closeSession()`) by the last connection of a session is answered once the
 * connection has left the session, but destroying it needs the session manager (and in a
 * cluster, Redis). When that fails, the destroy is tried again for about a minute, so that a
 * logout during a blip of the store does not leave the session restorable. Internal to the
 * server core.
 *
 * @example
 * ```ts
 * import { LogoutRetries } from "./logout_retries.ts";
 * const retries = new LogoutRetries(console, [10, 20]);
 * let tries = 0;
 * const destroyed = Promise.withResolvers<void>();
 * retries.add("key", async () => {
 *   if (++tries === 1) throw new Error("the store is away");
 *   destroyed.resolve();
 *   return true;
 * });
 * await destroyed.promise;
 * console.assert(tries === 2);
 * retries.stop();
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";

/** Milliseconds before each try: about a minute in all, as for closes relayed to a cluster. */
export const logoutRetryDelays: readonly number[] = [1000, 2000, 4000, 8000, 16_000, 30_000];

/** Logged-out sessions waiting for their destroy at most (more are given up at once). */
export const maxPendingLogouts = 10_000;

/**
 * One try at destroying a logged-out session: resolves `true` when it is destroyed, `false`
 * when a connection holds it (tried again, and left to that holder once the tries are over).
 */
export type LogoutAttempt = () => Promise<boolean>;

/**
 * The logged-out sessions whose destroy failed, each tried again on a fixed schedule.
 *
 * @example
 * ```ts
 * import { LogoutRetries } from "./logout_retries.ts";
 * const retries = new LogoutRetries(console);
 * retries.add("key", () => Promise.resolve(true)); // tried in a second
 * console.assert(retries.size === 1);
 * retries.stop(); // a shutdown: nothing more is tried
 * console.assert(retries.size === 0);
 * ```
 */
export class LogoutRetries {
  readonly #logger: Logger;
  readonly #delays: readonly number[];
  readonly #pending = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #failures = new PowersOfTenLog();
  #stopped = false;

  /** Logs what it gives up on to `logger`; `delays` are the waits before each try. */
  constructor(logger: Logger, delays: readonly number[] = logoutRetryDelays) {
    this.#logger = logger;
    this.#delays = delays;
  }

  /** Keys waiting for a try. */
  get size(): number {
    return this.#pending.size;
  }

  /** Tries `attempt` again later for `key` (nothing when `key` waits already, or stopped). */
  add(key: string, attempt: LogoutAttempt): void {
    if (this.#stopped || this.#pending.has(key)) return;
    if (this.#pending.size >= maxPendingLogouts) {
      return this.#giveUp(new Error(`${maxPendingLogouts} logouts wait already`));
    }
    this.#schedule(key, attempt, 0);
  }

  /** Drops every key waiting and tries nothing more. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }

  #schedule(key: string, attempt: LogoutAttempt, tried: number): void {
    const timer = setTimeout(async () => {
      let error: unknown;
      let done = false;
      try {
        done = await attempt();
      } catch (failure) {
        error = failure;
      }
      if (this.#pending.get(key) !== timer) return; // stopped meanwhile
      if (done || tried + 1 >= this.#delays.length) {
        this.#pending.delete(key);
        if (!done && error !== undefined) this.#giveUp(error);
        return;
      }
      this.#schedule(key, attempt, tried + 1);
    }, this.#delays[tried]);
    this.#pending.set(key, timer);
  }

  /** Logs the 1st, 10th, 100th, ... session given up (a long outage gives up many). */
  #giveUp(error: unknown): void {
    if (!this.#failures.tally()) return;
    this.#logger.error(
      `gave up destroying a logged-out session (${this.#failures.count} so far): it stays ` +
        `stored until it expires, and a client with its key can restore it`,
      error,
    );
  }
}
