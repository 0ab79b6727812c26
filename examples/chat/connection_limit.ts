/**
 * The chat's bound of open WebSocket connections per client address (as `client_address.ts`
 * reads it: no port, an IPv6 address's /64). Without it one address could open thousands, each
 * holding a socket, its buffers and the server's state of a connection.
 *
 * Two places enforce it. `main.ts` asks {@link refuseOverLimit} before the upgrade: an
 * address at its bound gets `429 Too Many Requests` (with `Retry-After: 10`) and no WebSocket;
 * the page's client retries later, as after any failed connect. The chat server counts each
 * connection once it is open ({@link ConnectionLimit.opened}) and closes one past the bound at
 * once (close code 4029, right after the accept-conf): those are upgrades that came at the same
 * time and all passed the check before any was open, or come through an adapter that does not
 * ask. A connection without an address (a runtime that gives none) is not counted.
 *
 * Behind a NAT many users share an address, behind a reverse proxy all of them: raise the bound
 * (`CONNECTIONS_PER_ADDRESS`), or count by the address the proxy sends (`X-Forwarded-For`).
 *
 * @example
 * ```ts
 * import { ConnectionLimit } from "./connection_limit.ts";
 * const limit = new ConnectionLimit(1);
 * const first = { remoteAddress: "203.0.113.7:50000" };
 * console.assert(limit.opened(first));
 * console.assert(limit.refusal("203.0.113.7:50001")?.status === 429);
 * limit.closed(first);
 * console.assert(limit.refusal("203.0.113.7:50001") === undefined);
 * ```
 * @module
 */

import { clientAddress } from "./client_address.ts";

/** What the limit needs of a connection: where it comes from. */
interface Counted {
  readonly remoteAddress: string;
}

/**
 * Open connections per client address, at most `max` each. Only addresses with an open
 * connection have an entry: the map shrinks back as connections close.
 *
 * @example
 * ```ts
 * import { ConnectionLimit } from "./connection_limit.ts";
 * const limit = new ConnectionLimit(50);
 * const connection = { remoteAddress: "[2001:db8::1]:443" };
 * limit.opened(connection);
 * console.assert(limit.count("[2001:db8::2]:443") === 1); // the same /64
 * limit.closed(connection);
 * console.assert(limit.addresses === 0);
 * ```
 */
export class ConnectionLimit {
  /** Connections one address may hold open at once. */
  readonly max: number;
  readonly #open = new Map<string, number>();
  /** The connections counted, each under its address. */
  readonly #counted = new WeakMap<Counted, string>();

  /** Creates the limit; a `RangeError` unless `max` is a whole number from 1. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`a connection limit is a whole number from 1, not ${max}`);
    }
    this.max = max;
  }

  /** Addresses with an open connection. */
  get addresses(): number {
    return this.#open.size;
  }

  /** Open connections counted for the address of `remoteAddress` (`host:port`). */
  count(remoteAddress: string): number {
    const address = clientAddress(remoteAddress);
    return address === null ? 0 : this.#open.get(address) ?? 0;
  }

  /**
   * Before an upgrade from `remoteAddress`: `undefined` to go on, or the `429` response that
   * refuses it when its address already holds `max` connections.
   */
  refusal(remoteAddress: string): Response | undefined {
    if (this.count(remoteAddress) < this.max) return undefined;
    return new Response("too many connections from your address\n", {
      status: 429,
      headers: { "retry-after": "10", "content-type": "text/plain; charset=utf-8" },
    });
  }

  /**
   * Counts a connection that has opened; `false` (and not counted) when its address already
   * holds `max`: then close it.
   */
  opened(connection: Counted): boolean {
    const address = clientAddress(connection.remoteAddress);
    if (address === null) return true;
    const open = this.#open.get(address) ?? 0;
    if (open >= this.max) return false;
    this.#open.set(address, open + 1);
    this.#counted.set(connection, address);
    return true;
  }

  /** A connection has ended: its place is free again (nothing for one never counted). */
  closed(connection: Counted): void {
    const address = this.#counted.get(connection);
    if (address === undefined) return;
    this.#counted.delete(connection);
    const open = this.#open.get(address)! - 1;
    if (open === 0) this.#open.delete(address);
    else this.#open.set(address, open);
  }
}

/**
 * A Hono middleware for the WebWire route that answers an upgrade from an address at its bound
 * with {@link ConnectionLimit.refusal}'s 429, before `honoHandler` upgrades it.
 * `getConnInfo` is Hono's of the runtime (`hono/deno`, `hono/bun`); without an address the
 * request goes on.
 *
 * @example
 * ```ts
 * import { ConnectionLimit, refuseOverLimit } from "./connection_limit.ts";
 * const limit = new ConnectionLimit(1);
 * limit.opened({ remoteAddress: "203.0.113.7:50000" });
 * const check = refuseOverLimit(limit, () => ({ remote: { address: "203.0.113.7" } }));
 * const refused = await check({}, () => Promise.resolve());
 * console.assert(refused?.status === 429);
 * ```
 */
export function refuseOverLimit<C>(
  limit: ConnectionLimit,
  getConnInfo: (c: C) => { remote: { address?: string } },
): (c: C, next: () => Promise<void>) => Promise<Response | void> {
  return async (c, next) => {
    const host = getConnInfo(c).remote.address;
    // As `host:port`, an IPv6 host in brackets: the form `connection.remoteAddress` has.
    const remote = host === undefined ? "" : host.includes(":") ? `[${host}]:` : `${host}:`;
    const refused = limit.refusal(remote);
    if (refused !== undefined) return refused;
    await next();
  };
}
