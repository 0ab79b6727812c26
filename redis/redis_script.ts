/**
 * A Lua script run by its SHA1 (`EVALSHA`), falling back to sending its source (`EVAL`) when
 * Redis does not have it cached yet, e.g. after a restart.
 *
 * @example
 * ```ts
 * import { RedisScript } from "./redis_script.ts";
 * const increment = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * console.assert(increment.sha1.length === 40);
 * // In an app: const n = await increment.run(client, ["counter"], [5]);
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import type { RedisClient } from "./redis_client.ts";

/**
 * A Lua script for Redis. {@link RedisScript.run} sends `EVALSHA` and, only when Redis answers
 * `NOSCRIPT` (its script cache is empty after a restart or `SCRIPT FLUSH`), `EVAL` with the
 * source, which caches it again. Unlike ioredis' `defineCommand` it adds nothing to the client,
 * so it works on a client that the application shares with others.
 *
 * @example
 * ```ts
 * import { RedisScript } from "./redis_script.ts";
 * const script = new RedisScript("return ARGV[1]");
 * console.assert(script.sha1 === "098e0f0d1448c0a81dafe820f66d460eb09263da");
 * ```
 */
export class RedisScript {
  /** The Lua source. */
  readonly lua: string;
  /** The SHA1 of the source in hex, as Redis names the cached script. */
  readonly sha1: string;

  /** Creates the script; nothing is sent to Redis until it runs. */
  constructor(lua: string) {
    this.lua = lua;
    this.sha1 = createHash("sha1").update(lua).digest("hex");
  }

  /**
   * Runs the script with `keys` as `KEYS` and `args` as `ARGV`.
   *
   * @returns the script's reply as ioredis decodes it (Lua `false` is `null`, a table an array).
   * @example
   * ```ts
   * import { Redis } from "ioredis";
   * import { startRedisServer } from "../testing/redis_server.ts";
   * import { RedisScript } from "./redis_script.ts";
   * const redis = await startRedisServer(); // a redis-server of its own, on a free port
   * const client = new Redis(redis.url);
   * const increment = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
   * console.assert((await increment.run(client, ["counter"], [5])) === 5); // sent as EVAL
   * console.assert((await increment.run(client, ["counter"], [2])) === 7); // cached: EVALSHA
   * await client.quit();
   * await redis.stop();
   * ```
   */
  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
