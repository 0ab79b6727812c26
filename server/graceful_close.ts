/**
 * When a graceful close may send its close frame: once the connection's handlers are done (or
 * a deadline passed), and once the client has paused, so that requests it sent before it could
 * know of the close get their shutdown reply instead of being cut off by the close frame.
 * Internal to the server core.
 *
 * @example
 * ```ts
 * import { whenReadyToClose } from "./graceful_close.ts";
 * const connection = {
 *   isOpen: true, lastRead: performance.now() - 1_000, idle: () => Promise.resolve(),
 * };
 * await whenReadyToClose(connection, 1_000); // idle, and the client stays quiet: 50 ms later
 * ```
 * @module
 */

import { timerDelay } from "../client/timer_delay.ts";

/** How long a client must have sent nothing before a graceful close sends its close frame. */
const quietBeforeClose = 50;

/**
 * What a graceful close looks at of its connection.
 *
 * @example
 * ```ts
 * import type { ClosingConnection } from "./graceful_close.ts";
 * let running = 0;
 * const connection: ClosingConnection = {
 *   isOpen: true,
 *   lastRead: performance.now(),
 *   idle: () => running === 0 ? Promise.resolve() : new Promise(() => {}),
 * };
 * await connection.idle();
 * ```
 */
export interface ClosingConnection {
  /** Whether the socket is still open: a closed one needs no more waiting. */
  readonly isOpen: boolean;
  /** When a frame was last read from the client (`performance.now()` ms). */
  readonly lastRead: number;
  /** Resolves when no handler of the connection runs or waits. */
  idle(): Promise<void>;
}

/**
 * Resolves when a graceful close may send its close frame: the connection's handlers are done
 * (at most until `deadline` resolves), and then the client has sent nothing for 50 ms (at most
 * `closeGrace` ms), or the connection closed. The pause counts from the call at the earliest: a
 * request sent just before the close began is on its way.
 *
 * @example
 * ```ts
 * import { whenReadyToClose } from "./graceful_close.ts";
 * const busy = {
 *   isOpen: true, lastRead: performance.now(), idle: () => new Promise<void>(() => {}),
 * };
 * const deadline = new Promise<void>((resolve) => setTimeout(resolve, 20));
 * await whenReadyToClose(busy, 1_000, deadline); // handlers still running: over at the deadline
 * ```
 */
export async function whenReadyToClose(
  connection: ClosingConnection,
  closeGrace: number,
  deadline?: Promise<void>,
): Promise<void> {
  const began = performance.now();
  let over = false;
  void deadline?.then(() => over = true);
  await (deadline === undefined ? connection.idle() : Promise.race([connection.idle(), deadline]));
  const latest = performance.now() + closeGrace;
  for (;;) {
    if (!connection.isOpen || over || performance.now() >= latest) return;
    const wait = quietBeforeClose - (performance.now() - Math.max(connection.lastRead, began));
    if (wait > 0) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(wait, latest - performance.now()))
      );
      continue;
    }
    // The pause may be this process's own: after a stall (a busy or descheduled process) a
    // timer can run before the frames that arrived meanwhile are delivered. One more turn of
    // the event loop delivers them; a frame read means the client was not quiet.
    const seen = connection.lastRead;
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (connection.lastRead === seen) return;
  }
}

/**
 * Calls `then` once no handler of the connection runs or waits, or `grace` ms have passed,
 * whichever comes first: a close the server decided waits this long for the replies of the
 * handlers already running.
 *
 * @example
 * ```ts
 * import { afterIdleOrGrace } from "./graceful_close.ts";
 * const busy = { idle: () => new Promise<void>(() => {}) };
 * await new Promise<void>((resolve) => afterIdleOrGrace(busy, 20, resolve)); // after 20 ms
 * ```
 */
export function afterIdleOrGrace(
  connection: Pick<ClosingConnection, "idle">,
  grace: number,
  then: () => void,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const over = new Promise<void>((resolve) => timer = setTimeout(resolve, grace));
  void Promise.race([connection.idle(), over]).then(() => {
    clearTimeout(timer);
    then();
  });
}

/**
 * The deadline of a shutdown's `timeout` (ms): `over` resolves that long after the call (there
 * is none without a timeout), `clear` stops its timer. A timeout over 2^31 − 1 ms (about 24.8
 * days), `Infinity` included, counts as that: timers fire at once for longer delays.
 *
 * @example
 * ```ts
 * import { shutdownDeadline } from "./graceful_close.ts";
 * const deadline = shutdownDeadline(Infinity);
 * const late = await Promise.race([deadline.over, Promise.resolve("not over")]);
 * console.assert(late === "not over");
 * deadline.clear();
 * ```
 */
export function shutdownDeadline(
  timeout: number | undefined,
): { readonly over: Promise<void> | undefined; clear(): void } {
  if (timeout === undefined) return { over: undefined, clear: () => {} };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const over = new Promise<void>((resolve) => timer = setTimeout(resolve, timerDelay(timeout)));
  return { over, clear: () => clearTimeout(timer) };
}
