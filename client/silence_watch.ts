/**
 * The client's dead-link check (`silenceTimeout`): a connection on which requests wait and
 * from which nothing at all has come for that long is taken for dead. Internal to the client.
 *
 * @example
 * ```ts
 * import { SilenceWatch } from "./silence_watch.ts";
 * let dead = false;
 * const watch = new SilenceWatch(40, () => true, () => dead = true);
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * console.assert(dead); // a request waited 40 ms and nothing came
 * watch.stop();
 * ```
 * @module
 */

import { timerDelay } from "./timer_delay.ts";

/** How often the watch looks, in parts of its timeout: it sees silence within 1/4 more. */
const looksPerTimeout = 8;

/**
 * Watches one connection: {@link SilenceWatch.heard} for every message that arrives; `silent`
 * is called once, when requests have waited `timeout` ms with nothing heard meanwhile, and the
 * watch stops then. Waiting is looked at every eighth of the timeout, and counts from the look
 * that first saw it (or from the last message heard, whichever is later).
 *
 * @example
 * ```ts
 * import { SilenceWatch } from "./silence_watch.ts";
 * let dead = false;
 * const watch = new SilenceWatch(80, () => true, () => dead = true);
 * const chatter = setInterval(() => watch.heard(), 10); // the server keeps answering
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * console.assert(!dead);
 * clearInterval(chatter);
 * watch.stop();
 * ```
 */
export class SilenceWatch {
  readonly #timeout: number;
  readonly #waiting: () => boolean;
  readonly #silent: (silentFor: number) => void;
  #lastHeard = performance.now();
  #waitingSince: number | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Starts watching; `waiting` says whether requests wait for replies, `silent` gets how long
   * nothing was heard while they did. A `timeout` of `Infinity` watches nothing.
   */
  constructor(timeout: number, waiting: () => boolean, silent: (silentFor: number) => void) {
    this.#timeout = timeout;
    this.#waiting = waiting;
    this.#silent = silent;
    if (timeout === Infinity) return;
    this.#timer = setInterval(() => this.#look(), timerDelay(timeout / looksPerTimeout));
  }

  /** A message came from the server. */
  heard(): void {
    this.#lastHeard = performance.now();
  }

  /** Stops watching, for good. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #look(): void {
    if (!this.#waiting()) {
      this.#waitingSince = undefined;
      return;
    }
    const now = performance.now();
    const since = Math.max(this.#waitingSince ??= now, this.#lastHeard);
    if (now - since < this.#timeout) return;
    this.stop();
    this.#silent(now - since);
  }
}
