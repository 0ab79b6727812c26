/**
 * Calling the application's lifecycle hooks (`onClientConnected`, `onClientDisconnected`,
 * `onProtocolViolation`, `onOfflineSignalDropped`, `onClusterError`): what a hook throws, and
 * what the promise it returns rejects with (a hook typed to return nothing may still be
 * `async`), is logged as `<hook> hook failed`, at its 1st, 10th, 100th, ... failure: a hook that
 * fails for every client, for every bad frame one client sends, or for every push a Redis outage
 * fails, never crashes the server nor floods its log.
 *
 * @example
 * ```ts
 * import { HookFailures } from "./hook_failures.ts";
 * const logged: string[] = [];
 * const hooks = new HookFailures({ error: (message: string) => logged.push(message), warn() {} });
 * for (let i = 0; i < 12; i++) {
 *   hooks.call("onClientConnected", () => {
 *     throw new Error("no database");
 *   });
 * }
 * console.assert(logged.join() === "onClientConnected hook failed,onClientConnected hook failed (10 so far)");
 * // A result whose `then` throws is a failure too, never thrown at the caller.
 * hooks.call("onClientDisconnected", () => ({ then: () => { throw new Error("odd"); } }));
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * console.assert(logged.at(-1) === "onClientDisconnected hook failed");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";

/** The failures of one server's hooks, by hook; see the module documentation. */
export class HookFailures {
  readonly #logger: Logger;
  readonly #counts = new Map<string, PowersOfTenLog>();

  /** Logs the failures on `logger` (the server's, which never throws: `guardedLogger`). */
  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Calls hook `name` (`call` runs it); a failure, at once or later, is logged. */
  call(name: string, call: () => unknown): void {
    try {
      const result = call();
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
        // A `then` that throws rejects here too.
        Promise.resolve(result).catch((error) => this.#failed(name, error));
      }
    } catch (error) {
      this.#failed(name, error);
    }
  }

  #failed(name: string, error: unknown): void {
    let count = this.#counts.get(name);
    if (count === undefined) this.#counts.set(name, count = new PowersOfTenLog());
    if (!count.tally()) return;
    const so = count.count === 1 ? "" : ` (${count.count} so far)`;
    this.#logger.error(`${name} hook failed${so}`, error);
  }
}
