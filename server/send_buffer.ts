/**
 * Waiting for a socket's send buffer to drain: replies (and handlers that ask) wait while more
 * than the high-water mark is queued for a slow reader. Internal to the server core.
 *
 * @example
 * ```ts
 * import { SendBuffer } from "./send_buffer.ts";
 * const buffer = new SendBuffer({ bufferedAmount: 0 }, 1024);
 * console.assert(buffer.isWritable());
 * await buffer.writable();
 * ```
 * @module
 */

/** How often the queued amount is checked again when the runtime reports no drain event. */
const pollMs = 10;

/**
 * Tracks one socket's queued bytes against a high-water mark.
 *
 * @example
 * ```ts
 * import { SendBuffer } from "./send_buffer.ts";
 * const socket = { bufferedAmount: 4096 };
 * const buffer = new SendBuffer(socket, 1024);
 * const drained = buffer.writable();
 * socket.bufferedAmount = 0;
 * buffer.drained();
 * await drained;
 * ```
 */
export class SendBuffer {
  readonly #socket: { readonly bufferedAmount: number };
  readonly #highWaterMark: number;
  #waiters: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Watches `socket.bufferedAmount` against `highWaterMark` bytes. */
  constructor(socket: { readonly bufferedAmount: number }, highWaterMark: number) {
    this.#socket = socket;
    this.#highWaterMark = highWaterMark;
  }

  /** Whether at most the high-water mark is queued (always, once stopped). */
  isWritable(): boolean {
    return this.#stopped || this.#socket.bufferedAmount <= this.#highWaterMark;
  }

  /** Resolves when the queue is under the high-water mark, or the buffer was stopped. */
  writable(): Promise<void> {
    if (this.isWritable()) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#poll();
    return waiting;
  }

  /** The runtime reported a drain: wakes the waiters if the queue is short enough. */
  drained(): void {
    if (this.isWritable()) this.#wake();
  }

  /** The connection closed or began to close: every waiter is released, nobody waits again. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  #poll(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.isWritable()) this.#wake();
      else this.#poll();
    }, pollMs);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
