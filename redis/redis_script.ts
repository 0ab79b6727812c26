/**
 * A Lua script run by its source (`EVAL`): Redis compiles it once and finds it by its hash
 * afterwards.
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
 * A Lua script for Redis. {@link RedisScript.run} sends `EVAL` with the source, never `EVALSHA`
 * alone: after Redis lost its script cache (a restart, a failover, `SCRIPT FLUSH`), an `EVALSHA`
 * answered `NOSCRIPT` and sent again as `EVAL` could be overtaken by a command sent after it
 * (a session's release overtaking its lookup, say). The source costs a few hundred bytes per
 * call. Unlike ioredis' `defineCommand` it adds nothing to the client, so it works on a client
 * that the application shares with others.
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
   * console.assert((await increment.run(client, ["counter"], [5])) === 5);
   * console.assert((await increment.run(client, ["counter"], [2])) === 7);
   * await client.quit();
   * await redis.stop();
   * ```
   */
  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return await client.eval(this.lua, keys.length, ...keys, ...args);
  }
}
