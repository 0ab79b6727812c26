/**
 * A stand-in for a server connection that holds sessions in a `SessionRegistry`, for tests of
 * the code that detaches sessions from their holders.
 *
 * @example
 * ```ts
 * import { RegistryHolder } from "./registry_holder.ts";
 * import { SessionRegistry } from "../server/session_registry.ts";
 * const sessions = new SessionRegistry<RegistryHolder>(0);
 * const holder = new RegistryHolder(sessions);
 * sessions.register("k", holder);
 * console.assert(await holder.closeSessionKey("k") && holder.detached[0] === "k");
 * console.assert(!(await holder.closeSessionKey("k"))); // held no more
 * ```
 * @module
 */

import type { SessionHolder } from "../server/forgotten_sessions.ts";
import type { SessionRegistry } from "../server/session_registry.ts";

/**
 * Leaves the registry when told to close a session it holds, and records it.
 *
 * @example
 * ```ts
 * import { RegistryHolder } from "./registry_holder.ts";
 * import { SessionRegistry } from "../server/session_registry.ts";
 * const holder = new RegistryHolder(new SessionRegistry<RegistryHolder>(0));
 * console.assert(holder.detached.length === 0);
 * ```
 */
export class RegistryHolder implements SessionHolder {
  /** The keys it was detached from, in order. */
  readonly detached: string[] = [];
  readonly #sessions: SessionRegistry<RegistryHolder>;

  /** A holder of sessions in `sessions`. */
  constructor(sessions: SessionRegistry<RegistryHolder>) {
    this.#sessions = sessions;
  }

  /** Leaves `key` if it holds it: whether it did. */
  closeSessionKey(key: string): Promise<boolean> {
    const held = this.#sessions.deregister(key, this) !== -1;
    if (held) this.detached.push(key);
    return Promise.resolve(held);
  }
}
