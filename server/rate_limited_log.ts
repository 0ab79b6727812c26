/**
 * Warnings that a peer can cause at will (protocol violations), written to the logger at a
 * bounded rate: a hostile client cannot flood the log. What is left out is counted and said in
 * one line at the end of the window. Internal to the server core; the application sees every
 * event through its hooks.
 *
 * @example
 * ```ts
 * import { RateLimitedLog } from "./rate_limited_log.ts";
 * const lines: string[] = [];
 * const log = new RateLimitedLog(
 *   { warn: (m) => void lines.push(m), error: () => {} },
 *   { max: 2, windowMs: 60_000, what: "protocol violations" },
 * );
 * for (let i = 0; i < 5; i++) log.warn(`violation ${i}`);
 * log.flush();
 * console.assert(lines.length === 3); // two, then "3 more protocol violations not logged ..."
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import { unrefTimer } from "./unref_timer.ts";

/**
 * The bound of a {@link RateLimitedLog}.
 *
 * @example
 * ```ts
 * import type { RateLimit } from "./rate_limited_log.ts";
 * const limit: RateLimit = { max: 10, windowMs: 10_000, what: "protocol violations" };
 * console.assert(limit.max === 10);
 * ```
 */
export interface RateLimit {
  /** Warnings written per window. */
  readonly max: number;
  /** The window in milliseconds. */
  readonly windowMs: number;
  /** What the warnings are about, for the line that counts those left out. */
  readonly what: string;
  /** Said at the end of that line; default "the hooks see every one". */
  readonly note?: string;
}

/**
 * Writes at most `max` warnings and errors per window; counts the rest and reports the count
 * once the window is over (or at {@link RateLimitedLog.flush}).
 *
 * @example
 * ```ts
 * import { RateLimitedLog } from "./rate_limited_log.ts";
 * const log = new RateLimitedLog(console, { max: 10, windowMs: 10_000, what: "violations" });
 * log.warn("protocol violation from 127.0.0.1:50000: unknown-type");
 * log.flush();
 * ```
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #limit: RateLimit;
  #windowStart = -Infinity;
  #written = 0;
  #skipped = 0;
  #skippedErrors = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Writes to `logger` within `limit`. */
  constructor(logger: Logger, limit: RateLimit) {
    this.#logger = logger;
    this.#limit = limit;
  }

  /** Writes the warning, or counts it if the window's quota is used up. */
  warn(message: string, ...details: unknown[]): void {
    this.#write("warn", message, details);
  }

  /** Writes the error, or counts it if the window's quota is used up. */
  error(message: string, ...details: unknown[]): void {
    this.#write("error", message, details);
  }

  /** This log as a `Logger`: both levels share the window. */
  asLogger(): Logger {
    return {
      warn: (message, ...details) => this.warn(message, ...details),
      error: (message, ...details) => this.error(message, ...details),
    };
  }

  #write(level: "warn" | "error", message: string, details: unknown[]): void {
    const now = performance.now();
    if (now - this.#windowStart >= this.#limit.windowMs) {
      this.flush();
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written < this.#limit.max) {
      this.#written++;
      this.#logger[level](message, ...details);
      return;
    }
    this.#skipped++;
    if (level === "error") this.#skippedErrors = true;
    // Said when the window ends, even if nothing more comes; a process with nothing else to
    // do does not wait for it (the server's shutdown flushes it).
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.flush(), this.#windowStart + this.#limit.windowMs - now);
    unrefTimer(this.#timer);
  }

  /** Reports the warnings left out so far, if any, and stops the window's timer. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#skipped === 0) return;
    const { what, windowMs, note = "the hooks see every one" } = this.#limit;
    // At the level of the worst left out.
    this.#logger[this.#skippedErrors ? "error" : "warn"](
      `${this.#skipped} more ${what} not logged (at most ${this.#limit.max} per ${
        windowMs / 1000
      } s; ${note})`,
    );
    this.#skipped = 0;
    this.#skippedErrors = false;
  }
}
