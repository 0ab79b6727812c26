/**
 * Delays between reconnection attempts: exponential backoff with full jitter.
 *
 * The reference client (webwire-go-client) retries every 2 s, fixed. When a server restarts,
 * all of its clients then come back in the same 2 s wave, again and again while it is down,
 * and a client on a flaky link waits 2 s even when the first retry would have worked at once.
 * Growing delays keep a long outage cheap for both sides, and full jitter (a random delay
 * between 0 and the current cap) spreads the clients of a restarted server over the whole
 * window instead of hitting it in lockstep. No delay is shorter than {@link minRetryDelay}, so
 * even `initialDelay: 0` never retries in a tight loop against a server that refuses.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * const cap = backoffDelay(3, { initialDelay: 250, factor: 2, maxDelay: 10_000 }, () => 0.999999);
 * console.assert(cap >= 1999 && cap < 2000);
 * ```
 * @module
 */

import { givenNumber } from "../protocol/value_kind.ts";

/**
 * How reconnection attempts are spaced.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from "@webwire/webwire";
 * const options: BackoffOptions = { initialDelay: 100, factor: 3, maxDelay: 5_000 };
 * console.assert(options.factor === 3);
 * ```
 */
export interface BackoffOptions {
  /**
   * The cap of the first delay in milliseconds. Default 250. Below {@link minRetryDelay} (0,
   * say) the caps grow from that floor instead: 10, 20, 40 ms, ...
   */
  initialDelay: number;
  /** How much the cap grows per failed attempt. Default 2. */
  factor: number;
  /** The largest cap in milliseconds. Default 10 000. */
  maxDelay: number;
}

/**
 * The shortest delay between two attempts, in milliseconds: whatever the options (and the
 * jitter's draw), a client never dials a refusing server more than about a hundred times a
 * second, and with the default factor its caps grow from here.
 *
 * @example
 * ```ts
 * import { backoffDelay, minRetryDelay } from "./backoff.ts";
 * const options = { initialDelay: 0, factor: 2, maxDelay: 10_000 };
 * console.assert(backoffDelay(0, options, () => 0) === minRetryDelay);
 * ```
 */
export const minRetryDelay = 10;

/**
 * The default backoff: first cap 250 ms, doubling, at most 10 s.
 *
 * @example
 * ```ts
 * import { defaultBackoff } from "./backoff.ts";
 * console.assert(defaultBackoff.maxDelay === 10_000);
 * ```
 */
export const defaultBackoff: Readonly<BackoffOptions> = Object.freeze({
  initialDelay: 250,
  factor: 2,
  maxDelay: 10_000,
});

/**
 * The backoff of `options`, each field left out (or `undefined`) taken from
 * {@link defaultBackoff}.
 *
 * @throws {RangeError} when a delay is negative or not a number (`initialDelay` must also be
 *   finite), or `factor` is below 1 or not finite: a `NaN` delay would retry without pause.
 *
 * @example
 * ```ts
 * import { resolveBackoff } from "./backoff.ts";
 * const backoff = resolveBackoff({ maxDelay: 30_000, initialDelay: undefined });
 * console.assert(backoff.initialDelay === 250 && backoff.maxDelay === 30_000);
 * let refused = false;
 * try {
 *   resolveBackoff({ maxDelay: Number("ten seconds") });
 * } catch (error) {
 *   refused = error instanceof RangeError;
 * }
 * console.assert(refused);
 * ```
 */
export function resolveBackoff(options: Partial<BackoffOptions> = {}): BackoffOptions {
  const initialDelay = options.initialDelay ?? defaultBackoff.initialDelay;
  const factor = options.factor ?? defaultBackoff.factor;
  const maxDelay = options.maxDelay ?? defaultBackoff.maxDelay;
  if (!(Number.isFinite(initialDelay) && initialDelay >= 0)) {
    throw new RangeError(
      `reconnect.initialDelay must be a finite number ≥ 0, got ${givenNumber(initialDelay)}`,
    );
  }
  if (!(Number.isFinite(factor) && factor >= 1)) {
    throw new RangeError(
      `reconnect.factor must be a finite number ≥ 1, got ${givenNumber(factor)}`,
    );
  }
  // Not a string that compares as a number ("5" >= 0).
  if (!(typeof maxDelay === "number" && maxDelay >= 0)) {
    throw new RangeError(`reconnect.maxDelay must be a number ≥ 0, got ${givenNumber(maxDelay)}`);
  }
  return { initialDelay, factor, maxDelay };
}
/**
 * The delay before attempt number `attempt` (0 for the first): a uniformly random value from
 * 0 up to `min(maxDelay, max(initialDelay, minRetryDelay) × factor^attempt)`, and at least
 * {@link minRetryDelay}.
 *
 * @example
 * ```ts
 * import { backoffDelay, defaultBackoff } from "./backoff.ts";
 * const delay = backoffDelay(0, defaultBackoff);
 * console.assert(delay >= 0 && delay < 250);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = Math.max(options.initialDelay, minRetryDelay);
  const cap = Math.min(options.maxDelay, base * options.factor ** attempt);
  return Math.max(minRetryDelay, Math.floor(random() * cap));
}
