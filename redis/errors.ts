/**
 * The errors of the Redis engine: Redis could not be reached in time, or a stored session is
 * not one.
 *
 * @example
 * ```ts
 * import { RedisUnavailableError } from "./errors.ts";
 * const error = new RedisUnavailableError("session lookup", "timed out after 2000 ms");
 * console.assert(error.message === "Redis unavailable for session lookup: timed out after 2000 ms");
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * Redis did not answer a call in time, or the connection to it is down or closed. Every Redis
 * call of this library rejects with it then, never hangs; the client reconnects by itself and
 * later calls work again once Redis is back. The underlying error, if any, is the `cause`.
 *
 * @example
 * ```ts
 * import { RedisUnavailableError } from "./errors.ts";
 * import { WebwireError } from "../protocol/webwire_error.ts";
 * const error = new RedisUnavailableError("session lookup", "connection closed");
 * console.assert(error instanceof WebwireError && error.operation === "session lookup");
 * ```
 */
export class RedisUnavailableError extends WebwireError {
  /** Always "RedisUnavailableError", also in minified bundles. */
  override readonly name: string = "RedisUnavailableError";
  /** What the call was for, e.g. `session lookup`. */
  readonly operation: string;

  /** Creates the error for `operation`, saying what went wrong. */
  constructor(operation: string, problem: string, options?: ErrorOptions) {
    super(`Redis unavailable for ${operation}: ${problem}`, options);
    this.operation = operation;
  }
}

/**
 * A Redis key under the sessions' prefix that does not hold a session as this library stores
 * it (a hash with RFC 3339 times `c` and `l` and optional JSON object `i`). A lookup that meets
 * one rejects with this error (a server answers the restore with an internal error); the key is
 * left as it is.
 *
 * @example
 * ```ts
 * import { CorruptRedisSessionError } from "./errors.ts";
 * const error = new CorruptRedisSessionError("webwire:session:k", '"i" is not a JSON object');
 * console.assert(error.redisKey === "webwire:session:k");
 * ```
 */
export class CorruptRedisSessionError extends WebwireError {
  /** Always "CorruptRedisSessionError", also in minified bundles. */
  override readonly name: string = "CorruptRedisSessionError";
  /** The Redis key of the corrupt session. */
  readonly redisKey: string;

  /** Creates the error for the Redis key, saying what is wrong with it. */
  constructor(redisKey: string, problem: string, options?: ErrorOptions) {
    super(`corrupt session at Redis key ${redisKey}: ${problem}`, options);
    this.redisKey = redisKey;
  }
}
