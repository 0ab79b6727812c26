/**
 * Steps of the session store tried again. A client's close-session (or a handler's
 * `connection.closeSession()`) by the last connection of a session is answered once the
 * connection has left the session, but destroying it needs the session manager (and in a
 * cluster, Redis); the notice that nobody holds a session any more (its idle clock) needs the
 * manager too. When such a step fails, it is tried again for about a minute, so that a logout
 * during a blip of the store does not leave the session restorable, and a release does not leave
 * it stored with no expiry. Internal to the server core.
 *
 * @example
 * ```ts
 * import { logoutGiveUp, StoreRetries } from "./store_retries.ts";
 * const retries = new StoreRetries(console, logoutGiveUp, [10, 20]);
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
export const storeRetryDelays: readonly number[] = [1000, 2000, 4000, 8000, 16_000, 30_000];

/** Sessions waiting for a step at most (more are given up at once). */
export const maxPendingRetries = 10_000;

/**
 * One try at a session's step: resolves `true` when it is done, `false` when it is not needed
 * now (a connection holds the session: tried again, and left alone once the tries are over).
 */
export type StoreAttempt = () => Promise<boolean>;

/**
 * What the log says when a step is given up: the step, and what it leaves behind.
 *
 * @example
 * ```ts
 * import type { GiveUpNotice } from "./store_retries.ts";
 * const notice: GiveUpNotice = { step: "doing it", outcome: "it stays undone" };
 * console.assert(notice.step === "doing it");
 * ```
 */
export interface GiveUpNotice {
  /** The step, as in "gave up destroying a logged-out session". */
  readonly step: string;
  /** What that leaves behind. */
  readonly outcome: string;
}

/**
 * The notice for a logout's destroy.
 *
 * @example
 * ```ts
 * import { logoutGiveUp } from "./store_retries.ts";
 * console.assert(logoutGiveUp.step === "destroying a logged-out session");
 * ```
 */
export const logoutGiveUp: GiveUpNotice = {
  step: "destroying a logged-out session",
  outcome: "it stays stored until it expires, and a client with its key can restore it",
};

/**
 * The notice for a release's notice to the session manager (the session's idle clock).
 *
 * @example
 * ```ts
 * import { releaseGiveUp } from "./store_retries.ts";
 * console.assert(releaseGiveUp.step.startsWith("telling the session manager"));
 * ```
 */
export const releaseGiveUp: GiveUpNotice = {
  step: "telling the session manager that nobody holds a session",
  outcome: "it stays stored without its idle expiry until a client restores it again",
};

/**
 * The notice for the forget of a session stored for a login that failed (its store's answer
 * was lost, or its connection left): no client was given its key.
 *
 * @example
 * ```ts
 * import { unusedGiveUp } from "./store_retries.ts";
 * console.assert(unusedGiveUp.step.startsWith("forgetting a session"));
 * ```
 */
export const unusedGiveUp: GiveUpNotice = {
  step: "forgetting a session stored for a login that failed",
  outcome: "it may stay stored until it expires (for good without expiry); no client has its key",
};

/**
 * Sessions whose step failed, each tried again on a fixed schedule.
 *
 * @example
 * ```ts
 * import { logoutGiveUp, StoreRetries } from "./store_retries.ts";
 * const retries = new StoreRetries(console, logoutGiveUp);
 * retries.add("key", () => Promise.resolve(true)); // tried in a second
 * console.assert(retries.size === 1);
 * retries.stop(); // a shutdown: nothing more is tried
 * console.assert(retries.size === 0);
 * ```
 */
export class StoreRetries {
  readonly #logger: Logger;
  readonly #notice: GiveUpNotice;
  readonly #delays: readonly number[];
  readonly #pending = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #failures = new PowersOfTenLog();
  #stopped = false;

  /**
   * Logs what it gives up on to `logger`, as `notice` says; `delays` are the waits before each
   * try.
   */
  constructor(logger: Logger, notice: GiveUpNotice, delays: readonly number[] = storeRetryDelays) {
    this.#logger = logger;
    this.#notice = notice;
    this.#delays = delays;
  }

  /** Keys waiting for a try. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Tries `attempt` again later for `key` (nothing when `key` waits already). Once stopped (the
   * server shuts down) or with too many waiting, the step is given up at once, and logged with
   * `notice` (default: the one this was made with).
   */
  add(key: string, attempt: StoreAttempt, notice: GiveUpNotice = this.#notice): void {
    if (this.#pending.has(key)) return;
    if (this.#stopped) return this.#giveUp(new Error("the server is shutting down"), notice);
    if (this.#pending.size >= maxPendingRetries) {
      return this.#giveUp(new Error(`${maxPendingRetries} sessions wait already`), notice);
    }
    this.#schedule(key, attempt, 0, notice);
  }

  /** Drops every key waiting and tries nothing more. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }

  #schedule(key: string, attempt: StoreAttempt, tried: number, notice: GiveUpNotice): void {
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
        if (!done && error !== undefined) this.#giveUp(error, notice);
        return;
      }
      this.#schedule(key, attempt, tried + 1, notice);
    }, this.#delays[tried]);
    this.#pending.set(key, timer);
  }

  /** Logs the 1st, 10th, 100th, ... session given up (a long outage gives up many). */
  #giveUp(error: unknown, notice: GiveUpNotice): void {
    if (!this.#failures.tally()) return;
    const { step, outcome } = notice;
    this.#logger.error(`gave up ${step} (${this.#failures.count} so far): ${outcome}`, error);
  }
}
