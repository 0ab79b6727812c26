/**
 * Holding a close frame back until the socket has written everything queued before it. Bun's
 * server socket lets go of its connection the moment `close()` is called (its own timer drops
 * it about 4 s later, and `terminate()` no longer reaches it), so the Bun adapters send the
 * close frame only once nothing is left to write: until then the connection can still be
 * dropped at the server's close deadline.
 *
 * @example
 * ```ts
 * import { closeWhenDrained } from "./close_when_drained.ts";
 * const closed: number[] = [];
 * const socket = { bufferedAmount: 0, close: (code: number) => void closed.push(code) };
 * closeWhenDrained(socket, 1000, "bye");
 * console.assert(closed[0] === 1000); // nothing queued: closed at once
 * ```
 * @module
 */

/** How often the queue is checked while the close frame waits. */
const pollMs = 10;

/**
 * What {@link closeWhenDrained} needs of a socket.
 *
 * @example
 * ```ts
 * import type { DrainableSocket } from "./close_when_drained.ts";
 * const socket: DrainableSocket = { bufferedAmount: 0, close: () => {} };
 * console.assert(socket.bufferedAmount === 0);
 * ```
 */
export interface DrainableSocket {
  /** Bytes queued and not yet written. */
  readonly bufferedAmount: number;
  /** Sends the close frame. */
  close(code: number, reason: string): void;
}

/**
 * Closes `socket` with `code` and `reason` as soon as nothing is queued; returns a function
 * that gives up waiting (the caller is dropping the connection instead).
 *
 * @example
 * ```ts
 * import { closeWhenDrained } from "./close_when_drained.ts";
 * const socket = { bufferedAmount: 4096, closed: false, close() { this.closed = true; } };
 * closeWhenDrained(socket, 1008, "slow reader");
 * socket.bufferedAmount = 0; // the peer read it all
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * console.assert(socket.closed);
 * ```
 */
export function closeWhenDrained(
  socket: DrainableSocket,
  code: number,
  reason: string,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = () => {
    if (socket.bufferedAmount > 0) timer = setTimeout(attempt, pollMs);
    else socket.close(code, reason);
  };
  attempt();
  return () => clearTimeout(timer);
}
