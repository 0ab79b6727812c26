/**
 * When a node's link to its cluster comes back, checks the sessions its connections hold and
 * detaches those closed meanwhile ({@link detachForgottenSessions}): one check at a time (a
 * link that comes back again during one is checked once more after it), checks that failed
 * tried again a few times, nothing started once the server shuts down. Internal to the server
 * core.
 *
 * @example
 * ```ts
 * import { ForgottenSessionCheck } from "./forgotten_session_check.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const detached: string[] = [];
 * const holder = { closeSessionKey: (key: string) => Promise.resolve(detached.push(key) > 0) };
 * const sessions = new SessionRegistry<typeof holder>(0);
 * sessions.register("closed on another node", holder);
 * const check = new ForgottenSessionCheck({
 *   sessions, sessionCloses: new SessionCloses(), sessionManager: new MemorySessionManager(),
 *   logger: console,
 * });
 * check.request(); // the cluster link is back
 * await check.idle;
 * console.assert(detached[0] === "closed on another node");
 * ```
 * @module
 */

import {
  detachForgottenSessions,
  type ForgottenSessionParts,
  type SessionHolder,
} from "./forgotten_sessions.ts";

/** Waits before the sessions whose check failed are checked again (about 20 s in all). */
const defaultRetryDelays: readonly number[] = [250, 1000, 4000, 15000];

/**
 * The checks of one server, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { ForgottenSessionCheck } from "./forgotten_session_check.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import type { SessionHolder } from "./forgotten_sessions.ts";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const check = new ForgottenSessionCheck({
 *   sessions: new SessionRegistry<SessionHolder>(0), sessionCloses: new SessionCloses(),
 *   sessionManager: new MemorySessionManager(), logger: console,
 * });
 * check.stop(); // the server shuts down: requests are ignored from now on
 * check.request();
 * await check.idle;
 * ```
 */
export class ForgottenSessionCheck<C extends SessionHolder> {
  readonly #parts: ForgottenSessionParts<C>;
  readonly #retryDelays: readonly number[];
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Checks `parts`; `retryDelays` are the waits before each new try of failed checks. */
  constructor(parts: ForgottenSessionParts<C>, retryDelays = defaultRetryDelays) {
    this.#parts = parts;
    this.#retryDelays = retryDelays;
  }

  /** The link came back: checks every held session, after the check under way if any. */
  request(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#run()
      .catch((error) => this.#parts.logger.error("checking held sessions failed", error))
      .finally(() => this.#running = undefined);
  }

  /** Starts no more checks or tries (a check under way ends after its current lookups). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wake?.();
  }

  /** Resolves when no check runs. */
  get idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      let { failed } = await detachForgottenSessions(this.#parts);
      for (const delay of this.#retryDelays) {
        if (failed.length === 0 || this.#again) break;
        await this.#wait(delay);
        if (this.#stopped || this.#again) break;
        ({ failed } = await detachForgottenSessions(this.#parts, failed));
      }
    } while (this.#again && !this.#stopped);
  }

  #wait(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
