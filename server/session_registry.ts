/**
 * Which connections hold which session, and the limit of connections per session.
 *
 * @example
 * ```ts
 * import { SessionRegistry } from "./session_registry.ts";
 * const registry = new SessionRegistry<string>(1);
 * registry.register("key", "connection A");
 * console.assert(!registry.canJoin("key"));
 * ```
 * @module
 */

const none: ReadonlySet<never> = new Set();

/**
 * A map from session key to the connections holding it.
 *
 * @example
 * ```ts
 * import { SessionRegistry } from "./session_registry.ts";
 * const registry = new SessionRegistry<number>(0);
 * registry.register("k", 1);
 * registry.register("k", 2);
 * console.assert(registry.deregister("k", 1) === 1 && registry.activeSessions === 1);
 * ```
 */
export class SessionRegistry<C> {
  readonly #maxConnections: number;
  readonly #sessions = new Map<string, Set<C>>();

  /** `maxConnections` of 0 means unlimited. */
  constructor(maxConnections: number) {
    this.#maxConnections = maxConnections;
  }

  /** Whether one more connection may join the session. */
  canJoin(key: string): boolean {
    if (this.#maxConnections <= 0) return true;
    return (this.#sessions.get(key)?.size ?? 0) < this.#maxConnections;
  }

  /** Adds a connection to a session and returns how many connections hold it now. */
  register(key: string, connection: C): number {
    let connections = this.#sessions.get(key);
    if (connections === undefined) this.#sessions.set(key, connections = new Set());
    connections.add(connection);
    return connections.size;
  }

  /**
   * Removes a connection from a session and returns how many connections still hold it (0 when
   * it was the last one, -1 when it held none).
   */
  deregister(key: string, connection: C): number {
    const connections = this.#sessions.get(key);
    if (connections === undefined || !connections.delete(connection)) return -1;
    if (connections.size === 0) this.#sessions.delete(key);
    return connections.size;
  }

  /** The connections holding a session (empty when none). */
  connections(key: string): C[] {
    return [...(this.#sessions.get(key) ?? [])];
  }

  /** The connections holding a session, as a live view (copy it before changing the registry). */
  holders(key: string): ReadonlySet<C> {
    return this.#sessions.get(key) ?? none;
  }

  /** The keys of the sessions that have at least one connection, as they are now. */
  keys(): string[] {
    return [...this.#sessions.keys()];
  }

  /** How many sessions have at least one connection. */
  get activeSessions(): number {
    return this.#sessions.size;
  }
}
