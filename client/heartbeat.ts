/**
 * Keeps a connection alive: the server drops a connection it has read nothing from for its
 * read timeout, so the client sends a heartbeat whenever it has sent nothing else for
 * `readTimeout − readTimeout/4`.
 *
 * @example
 * ```ts
 * import { heartbeatInterval } from "./heartbeat.ts";
 * console.assert(heartbeatInterval(60_000) === 45_000);
 * ```
 * @module
 */

import { timerDelay } from "./timer_delay.ts";

/** The shortest heartbeat interval, whatever read timeout a server announces. */
const minimumInterval = 100;

/**
 * The heartbeat interval for a server read timeout, as the reference client computes it, but
 * never under 100 ms: a server announcing a read timeout of a few milliseconds (the reference's
 * minimum is 1 s) must not make the client beat continuously.
 *
 * @example
 * ```ts
 * import { heartbeatInterval } from "./heartbeat.ts";
 * console.assert(heartbeatInterval(1000) === 750);
 * console.assert(heartbeatInterval(2) === 100);
 * ```
 */
export function heartbeatInterval(readTimeout: number): number {
  if (readTimeout <= 0) return 0;
  return Math.max(minimumInterval, readTimeout - Math.floor(readTimeout / 4));
}

/**
 * Calls `beat` after `interval` milliseconds without a {@link Heartbeat.touch}. Touching is
 * cheap (it records a time; the single timer checks it when it fires), so every outgoing
 * message can touch it.
 *
 * @example
 * ```ts
 * import { Heartbeat } from "./heartbeat.ts";
 * const heartbeat = new Heartbeat(45_000, () => {});
 * heartbeat.touch();
 * heartbeat.stop();
 * ```
 */
export class Heartbeat {
  readonly #interval: number;
  readonly #beat: () => void;
  #lastSent = performance.now();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Starts the timer; an interval of 0 or less disables the heartbeat. */
  constructor(interval: number, beat: () => void) {
    this.#interval = interval;
    this.#beat = beat;
    if (interval > 0) this.#schedule(interval);
  }

  /** Records that a message was sent now (`now`: `performance.now()`, if the caller read it). */
  touch(now: number = performance.now()): void {
    this.#lastSent = now;
  }

  /** Stops the timer for good. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number): void {
    // A longer interval than timers allow fires early; #fire then waits for the rest.
    this.#timer = setTimeout(() => this.#fire(), timerDelay(delay));
  }

  #fire(): void {
    const idle = performance.now() - this.#lastSent;
    if (idle >= this.#interval) {
      this.#lastSent = performance.now();
      this.#beat();
      if (this.#timer === undefined) return;
      this.#schedule(this.#interval);
    } else {
      this.#schedule(this.#interval - idle);
    }
  }
}
