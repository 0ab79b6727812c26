/**
 * The part of an ioredis client that this module uses, as a structural type: any `Redis`
 * instance of ioredis 5 or 6 fits it, whichever copy of ioredis the application has.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import type { RedisClient } from "./redis_client.ts";
 * const client: RedisClient = new Redis({ lazyConnect: true });
 * console.assert(client.status === "wait");
 * client.disconnect();
 * ```
 * @module
 */

/**
 * What this module needs of a Redis client: ioredis' connection state and events, `EVAL`,
 * `DEL` and closing. Pass an ioredis `Redis` instance.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import type { RedisClient } from "./redis_client.ts";
 * const connect = (url: string): RedisClient => new Redis(url, { lazyConnect: true });
 * const client = connect("redis://127.0.0.1:6379");
 * console.assert(client.status === "wait");
 * client.disconnect();
 * ```
 */
export interface RedisClient {
  /**
   * ioredis' connection state: `wait` (lazy, not connected yet), `connecting`, `connect`,
   * `ready`, `reconnecting`, `close` or `end` (closed for good).
   */
  readonly status: string;
  /** Registers a one-time listener; this module listens for `ready` and `end`. */
  once(event: "ready" | "end", listener: () => void): unknown;
  /** Removes a listener that {@link RedisClient.once} registered. */
  off(event: "ready" | "end", listener: () => void): unknown;
  /** Connects a lazy client. */
  connect(): Promise<void>;
  /** `EVAL script numkeys key... arg...`. */
  eval(script: string, numkeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /** `DEL key...`, resolving to how many keys were removed. */
  del(...keys: string[]): Promise<number>;
  /** `EXISTS key...`, resolving to how many of the keys exist. */
  exists(...keys: string[]): Promise<number>;
  /** `QUIT`: closes the connection after the replies of earlier commands. */
  quit(): Promise<unknown>;
  /** Closes the connection at once, without reconnecting. */
  disconnect(): void;
}
