/**
 * The client's dead-link check (`silenceTimeout`): a connection on which requests wait and
 * from which nothing at all has come for that long is taken for dead. Internal to the client.
 *
 * @example
 * ```ts
 * import { SilenceWatch } from "./silence_watch.ts";
 * let dead = false;
 * const sent = performance.now();
 * const watch = new SilenceWatch(40, () => sent, () => dead = true);
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * console.assert(dead); // a request waited 40 ms and nothing came
 * watch.stop();
 * ```
 * @module
 */

import { timerDelay } from "./timer_delay.ts";

/**
 * How often the watch looks, in parts of its timeout: it sees silence within two looks, a
 * fifth, more.
 */
const looksPerTimeout = 10;

/**
 * Watches one connection: {@link SilenceWatch.heard} for every message that arrives; `silent`
 * is called once, when requests have waited `timeout` ms with nothing heard meanwhile, and the
 * watch stops then. `waitingSince` says since when requests have waited without a break
 * (`performance.now()`), or `undefined` while none does. Its timer runs only while they wait
 * ({@link SilenceWatch.wake} starts it again): an idle connection wakes nothing up.
 *
 * A look judges the silence only up to the look before it: messages that came while the event
 * loop was held up (a long task, a page in the background, a machine asleep) may not have been
 * read when the late look runs, and must not count as silence; after the look before, the loop
 * was free to read them.
 *
 * @example
 * ```ts
 * import { SilenceWatch } from "./silence_watch.ts";
 * let dead = false;
 * const sent = performance.now();
 * const watch = new SilenceWatch(80, () => sent, () => dead = true);
 * const chatter = setInterval(() => watch.heard(), 10); // the server keeps answering
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * console.assert(!dead);
 * clearInterval(chatter);
 * watch.stop();
 * ```
 */
export class SilenceWatch {
  readonly #timeout: number;
  readonly #waitingSince: () => number | undefined;
  readonly #silent: (silentFor: number) => void;
  #lastHeard = performance.now();
  #lastLook = this.#lastHeard;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  /**
   * Starts watching; `waitingSince` says since when requests have waited for replies,
   * `silent` gets how long nothing was heard while they did. A `timeout` of `Infinity` watches
   * nothing.
   */
  constructor(
    timeout: number,
    waitingSince: () => number | undefined,
    silent: (silentFor: number) => void,
  ) {
    this.#timeout = timeout;
    this.#waitingSince = waitingSince;
    this.#silent = silent;
    this.wake();
  }

  /**
   * Looks from now on if requests wait (call it when one is sent while none waited): the
   * watch's timer runs only while they do, so an idle connection wakes nothing up.
   */
  wake(): void {
    if (this.#timer !== undefined || this.#stopped || this.#timeout === Infinity) return;
    if (this.#waitingSince() === undefined) return;
    this.#lastLook = performance.now();
    this.#timer = setInterval(() => this.#look(), timerDelay(this.#timeout / looksPerTimeout));
  }

  /** A message came from the server. */
  heard(): void {
    this.#lastHeard = performance.now();
  }

  /** Stops watching, for good. */
  stop(): void {
    this.#stopped = true;
    this.#pause();
  }

  #pause(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #look(): void {
    const now = performance.now();
    const lastLook = this.#lastLook;
    this.#lastLook = now;
    const waitingSince = this.#waitingSince();
    if (waitingSince === undefined) return this.#pause(); // until wake()
    const since = Math.max(waitingSince, this.#lastHeard);
    if (lastLook - since < this.#timeout) return;
    this.stop();
    this.#silent(now - since);
  }
}
