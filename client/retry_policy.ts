/**
 * Whether a client retries after a failed connect attempt or a lost connection: what its
 * `shouldRetry` option says, a throw counting as yes. Internal to the client.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "./retry_policy.ts";
 * const policy = new RetryPolicy((error) => error.message !== "kicked", console);
 * console.assert(!policy.allows(new Error("kicked")) && policy.allows(new Error("refused")));
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";

/**
 * Asks a client's `shouldRetry` hook, if any.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "./retry_policy.ts";
 * const logged: string[] = [];
 * const logger = { warn() {}, error: (message: string) => void logged.push(message) };
 * const policy = new RetryPolicy(() => {
 *   throw new Error("bug in the hook");
 * }, logger);
 * // A hook that throws does not strand the client: it keeps retrying, and the throw is logged.
 * console.assert(policy.allows(new Error("refused")) && policy.allows(new Error("refused")));
 * console.assert(logged.length === 1 && logged[0].startsWith("webwire client: shouldRetry threw"));
 * ```
 */
export class RetryPolicy {
  readonly #hook: ((error: Error) => boolean) | undefined;
  readonly #logger: Logger;
  readonly #throws = new PowersOfTenLog();

  /** Follows `hook`; `undefined` retries always. Throws of the hook go to `logger`. */
  constructor(hook: ((error: Error) => boolean) | undefined, logger: Logger) {
    this.#hook = hook;
    this.#logger = logger;
  }

  /**
   * Whether to retry after `error`: anything but `false` from the hook is a yes, and so is a
   * throw, logged at the 1st, 10th, 100th, ... throw until the client connects.
   */
  allows(error: Error): boolean {
    if (this.#hook === undefined) return true;
    try {
      return this.#hook(error) !== false;
    } catch (thrown) {
      if (this.#throws.tally()) {
        const count = this.#throws.count === 1 ? "" : ` (${this.#throws.count} times)`;
        this.#logger.error(
          `webwire client: shouldRetry threw${count}; retrying as if it returned true:`,
          thrown,
        );
      }
      return true;
    }
  }

  /** The client connected: the next throw of the hook is logged again. */
  connected(): void {
    this.#throws.reset();
  }
}
