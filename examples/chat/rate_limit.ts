/**
 * The chat's rate limits: per user for `join` and `say`, per client address for `login`.
 * A token bucket of `burst` tokens that refills at `perSecond`; a request that finds it empty
 * gets a `RATE_LIMITED` error reply saying how long to wait, and the connection stays open. One
 * client hopping between rooms or pasting in a loop would otherwise flood every page in its
 * rooms, and one logging in over and over would fill the disk with session files.
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
 * Buckets of string keys (addresses, session keys) kept at most; past it the least recently
 * used one goes (and its key starts again with a full bucket).
 */
const maxStrings = 10_000;

/**
 * Token buckets, one per object such as a connection (in a `WeakMap`: a connection that ends
 * takes its bucket with it) or per string such as a client address (the last 10,000 used are
 * kept).
 *
 * @example
 * ```ts
 * import { RateLimit } from "./rate_limit.ts";
 * const limit = new RateLimit({ burst: 10, perSecond: 2 });
 * limit.take({}); // fine: a new connection has a full bucket
 * limit.take("203.0.113.7"); // and so has a new address
 * ```
 */
export class RateLimit {
  readonly #options: RateLimitOptions;
  readonly #buckets = new WeakMap<object, Bucket>();
  readonly #strings = new Map<string, Bucket>();

  /** Creates the limit; a `RangeError` for a burst below 1 or a negative rate. */
  constructor(options: RateLimitOptions) {
    if (!(options.burst >= 1) || !(options.perSecond >= 0)) {
      throw new RangeError("a rate limit needs a burst of at least 1 and a rate of at least 0");
    }
    this.#options = options;
  }

  /**
   * Takes a token for one request of `key`: a connection, a session key, a client address.
   *
   * @throws {RequestError} `RATE_LIMITED` when its bucket is empty, with `tooFast` and how long
   * to wait as its message: "too fast: try again in 1 s".
   */
  take(key: object | string, tooFast = "too fast"): void {
    const { burst, perSecond } = this.#options;
    // The monotonic clock: a step of the wall clock back would drain the bucket for as long.
    const now = performance.now();
    const bucket = this.#bucket(key) ?? { tokens: burst, time: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.time) / 1000 * perSecond);
    bucket.time = now;
    this.#keep(key, bucket);
    if (bucket.tokens < 1) {
      const seconds = Math.ceil((1 - bucket.tokens) / perSecond);
      const wait = Number.isFinite(seconds) ? `try again in ${seconds} s` : "try again later";
      throw new RequestError("RATE_LIMITED", `${tooFast}: ${wait}`);
    }
    bucket.tokens -= 1;
  }

  #bucket(key: object | string): Bucket | undefined {
    return typeof key === "string" ? this.#strings.get(key) : this.#buckets.get(key);
  }

  #keep(key: object | string, bucket: Bucket): void {
    if (typeof key !== "string") {
      this.#buckets.set(key, bucket);
      return;
    }
    // Re-inserted, so the Map's order is the order of last use.
    this.#strings.delete(key);
    this.#strings.set(key, bucket);
    if (this.#strings.size > maxStrings) {
      this.#strings.delete(this.#strings.keys().next().value!);
    }
  }
}
