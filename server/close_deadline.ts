/**
 * The close deadline: once the server has sent its close frame, the peer has `closeTimeout` to
 * answer it and let the socket close; a peer that neither reads nor answers is cut off
 * (`terminate`) then, so that it cannot hold the socket, nor a shutdown waiting for it.
 * Internal to the server core.
 *
 * @example
 * ```ts
 * import { CloseDeadline } from "./close_deadline.ts";
 * const socket = { terminate: () => console.log("cut off a peer that did not answer") };
 * const deadline = new CloseDeadline(socket);
 * // ...socket.close(1000, "bye") was called...
 * let gone: Promise<void> | undefined;
 * deadline.start(5_000, (whenGone) => gone = whenGone);
 * deadline.socketGone(); // the runtime reported the socket closed in time
 * await gone;
 * ```
 * @module
 */

import { CloseCode } from "./close_codes.ts";
import type { TransportEvents, TransportSocket } from "./transport.ts";

/**
 * The deadline of one socket that was sent its close frame.
 *
 * @example
 * ```ts
 * import { CloseDeadline } from "./close_deadline.ts";
 * let terminated = false;
 * const deadline = new CloseDeadline({ terminate: () => terminated = true });
 * let gone: Promise<void> | undefined;
 * deadline.start(10, (whenGone) => gone = whenGone);
 * await gone; // the peer never answered: dropped after 10 ms
 * console.assert(terminated);
 * ```
 */
export class CloseDeadline {
  readonly #socket: Pick<TransportSocket, "terminate">;
  /** Whether the runtime reported the socket closed, or it was terminated. */
  #gone = false;
  #whenGone: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Made before the close frame is sent: the runtime may report the close at once. */
  constructor(socket: Pick<TransportSocket, "terminate">) {
    this.#socket = socket;
  }

  /**
   * Starts the deadline after the close frame was sent (nothing to do when the socket is gone
   * already), and tells `socketClosing` a promise that resolves once the socket is gone.
   */
  start(timeout: number, socketClosing: (gone: Promise<void>) => void): void {
    if (this.#gone) return;
    socketClosing(new Promise((resolve) => this.#whenGone = resolve));
    this.#timer = setTimeout(() => {
      if (this.#gone) return;
      this.#socket.terminate();
      this.socketGone();
    }, timeout);
  }

  /** The runtime reported the socket closed (or it was terminated): the deadline is over. */
  socketGone(): void {
    this.#gone = true;
    clearTimeout(this.#timer);
    this.#whenGone?.();
    this.#whenGone = undefined;
  }
}

/**
 * Closes a socket that opened after the shutdown began (its upgrade was accepted just before):
 * close 1001 right after the adapter has the events returned (a microtask later), under the
 * close deadline of every socket the server closes. Returns the events for the adapter to
 * report, of which only the close counts.
 *
 * @example
 * ```ts
 * import { closeLateSocket } from "./close_deadline.ts";
 * const closing = new Set<Promise<void>>();
 * const socket = { close: () => {}, terminate: () => console.log("cut off") };
 * const events = closeLateSocket(socket, 5_000, (gone) => closing.add(gone));
 * events.closed(); // the peer answered in time
 * await Promise.all(closing);
 * ```
 */
export function closeLateSocket(
  socket: Pick<TransportSocket, "close" | "terminate">,
  timeout: number,
  socketClosing: (gone: Promise<void>) => void,
): TransportEvents {
  const deadline = new CloseDeadline(socket);
  deadline.start(timeout, socketClosing);
  // Closed once the adapter holds the events: Bun reports the close from within `close()`, and
  // a report made before `accept` returns would be lost (the deadline would then run out).
  queueMicrotask(() => {
    try {
      socket.close(CloseCode.GoingAway, "server shutting down");
    } catch {
      // Gone meanwhile: the deadline's end (or the close report) lets it go.
    }
  });
  return { message: () => {}, closed: () => deadline.socketGone(), drained: () => {} };
}

/**
 * Resolves once every socket of `closing` (the promises of their close deadlines, each removed
 * once settled) is gone, sockets closed meanwhile included.
 *
 * @example
 * ```ts
 * import { socketsGone } from "./close_deadline.ts";
 * const closing = new Set<Promise<void>>();
 * const gone = new Promise<void>((resolve) => setTimeout(resolve, 10));
 * closing.add(gone);
 * gone.then(() => closing.delete(gone));
 * await socketsGone(closing);
 * console.assert(closing.size === 0);
 * ```
 */
export async function socketsGone(closing: ReadonlySet<Promise<void>>): Promise<void> {
  while (closing.size > 0) await Promise.all(closing);
}
