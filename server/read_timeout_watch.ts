/**
 * The read timeout of every connection of a server, checked by one timer for all of them, not
 * one each (a timer costs more memory than the rest of an idle connection on some runtimes).
 *
 * @example
 * ```ts
 * import { ReadTimeoutWatch } from "./read_timeout_watch.ts";
 * const checked: number[] = [];
 * const connections = new Set([{ checkReadTimeout: (now: number) => void checked.push(now) }]);
 * const watch = new ReadTimeoutWatch(connections, 40); // checks every 10 ms
 * watch.start();
 * await new Promise((resolve) => setTimeout(resolve, 35));
 * watch.stop();
 * console.assert(checked.length >= 1);
 * ```
 * @module
 */

/**
 * A connection whose read timeout can be checked.
 *
 * @example
 * ```ts
 * import type { ReadTimeoutCheck } from "./read_timeout_watch.ts";
 * let lastRead = performance.now();
 * const connection: ReadTimeoutCheck = {
 *   checkReadTimeout: (now) => {
 *     if (now - lastRead > 60_000) console.log("closing a silent connection");
 *   },
 * };
 * connection.checkReadTimeout(performance.now());
 * ```
 */
export interface ReadTimeoutCheck {
  /** Closes the connection if nothing was read from it for the read timeout before `now`. */
  checkReadTimeout(now: number): void;
}

/**
 * Checks the read timeout of every connection in a live set, eight times per read timeout (at
 * least twice a second). A connection stamps the clock on its frames at the first check after
 * them (no earlier than they came), and is closed at the first check a read timeout after that:
 * a silent connection is closed between `readTimeout` and two checks, a quarter of it (at most
 * 1 s), after its last frame. The timer runs only while there are connections. A check that
 * comes more than one and a half intervals after the one before (the process was stalled: busy,
 * paused or not scheduled) closes nothing: frames that came meanwhile may still wait unread, and
 * the next check, after the runtime has read them, decides (one check in a row at most is
 * passed over, so a process that stalls at every interval still closes silent connections).
 *
 * @example
 * ```ts
 * import { ReadTimeoutWatch } from "./read_timeout_watch.ts";
 * const connections = new Set<{ checkReadTimeout(now: number): void }>();
 * const watch = new ReadTimeoutWatch(connections, 60_000);
 * connections.add({ checkReadTimeout: () => {} });
 * watch.start(); // on every accepted connection; a running watch stays as it is
 * watch.stop(); // at shutdown
 * ```
 */
export class ReadTimeoutWatch {
  readonly #connections: ReadonlySet<ReadTimeoutCheck>;
  readonly #readTimeout: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastCheck = 0;
  #passedOver = false;

  /** Watches `connections` (the server's live set) for a read timeout of `readTimeout` ms. */
  constructor(connections: ReadonlySet<ReadTimeoutCheck>, readTimeout: number) {
    this.#connections = connections;
    this.#readTimeout = readTimeout;
  }

  /** Starts the timer unless it runs; it stops itself when no connection is left. */
  start(): void {
    if (this.#timer !== undefined) return;
    const tick = Math.min(500, Math.floor(this.#readTimeout / 8));
    this.#lastCheck = performance.now();
    this.#timer = setInterval(() => {
      if (this.#connections.size === 0) return this.stop();
      const now = performance.now();
      const stalled = now - this.#lastCheck > tick * 1.5;
      this.#lastCheck = now;
      if (stalled && !this.#passedOver) {
        this.#passedOver = true;
        return;
      }
      this.#passedOver = false;
      for (const connection of this.#connections) connection.checkReadTimeout(now);
    }, tick);
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
