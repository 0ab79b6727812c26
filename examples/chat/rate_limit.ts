/**
 * A rate limit per connection for the chat's `join` and `say`: a token bucket of `burst`
 * tokens that refills at `perSecond`; a request that finds it empty gets a `RATE_LIMITED`
 * error reply, and the connection stays open. One client hopping between rooms or pasting in
 * a loop would otherwise flood every page in its rooms.
 *
 * @example
 * ```ts
 * import { RateLimit } from "./rate_limit.ts";
 * const limit = new RateLimit({ burst: 2, perSecond: 1 });
 * const connection = {};
 * limit.take(connection);
 * limit.take(connection);
 * let code = "";
 * try {
 *   limit.take(connection);
 * } catch (error) {
 *   code = (error as { code: string }).code;
 * }
 * console.assert(code === "RATE_LIMITED");
 * ```
 * @module
 */

// JSR: import { RequestError } from "@webwire/webwire/server";
import { RequestError } from "../../server.ts";

/**
 * The bounds of a {@link RateLimit}.
 *
 * @example
 * ```ts
 * import type { RateLimitOptions } from "./rate_limit.ts";
 * const options: RateLimitOptions = { burst: 10, perSecond: 2 };
 * console.assert(options.burst === 10);
 * ```
 */
export interface RateLimitOptions {
  /** Requests that may come at once (the bucket's size); at least 1. */
  readonly burst: number;
  /** Requests per second on average, once the burst is used (the refill rate). */
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  time: number;
}

/**
 * Token buckets, one per connection (kept in a `WeakMap`: a connection that ends takes its
 * bucket with it).
 *
 * @example
 * ```ts
 * import { RateLimit } from "./rate_limit.ts";
 * const limit = new RateLimit({ burst: 10, perSecond: 2 });
 * limit.take({}); // fine: a new connection has a full bucket
 * ```
 */
export class RateLimit {
  readonly #options: RateLimitOptions;
  readonly #buckets = new WeakMap<object, Bucket>();

  /** Creates the limit; a `RangeError` for a burst below 1 or a negative rate. */
  constructor(options: RateLimitOptions) {
    if (!(options.burst >= 1) || !(options.perSecond >= 0)) {
      throw new RangeError("a rate limit needs a burst of at least 1 and a rate of at least 0");
    }
    this.#options = options;
  }

  /**
   * Takes a token for one request of `connection`.
   *
   * @throws {RequestError} `RATE_LIMITED` when its bucket is empty.
   */
  take(connection: object): void {
    const { burst, perSecond } = this.#options;
    // The monotonic clock: a step of the wall clock back would drain the bucket for as long.
    const now = performance.now();
    const bucket = this.#buckets.get(connection) ?? { tokens: burst, time: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.time) / 1000 * perSecond);
    bucket.time = now;
    this.#buckets.set(connection, bucket);
    if (bucket.tokens < 1) throw new RequestError("RATE_LIMITED", "too fast: wait a moment");
    bucket.tokens -= 1;
  }
}
