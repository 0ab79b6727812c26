/**
 * A Bun `ServerWebSocket` as the server core sees it (`TransportSocket`). Used by the Bun
 * adapter and by the Hono adapter under Bun. Bun lets go of a socket the moment `close()` is
 * called (its own timer drops it about 4 s later, and `terminate()` no longer reaches it), so
 * the close frame waits until everything queued before it is written: until then the
 * connection can still be dropped at the server's close deadline. A message Bun drops (its
 * queue for the client is past `backpressureLimit`) is reported to the core, which closes the
 * client as a slow reader (1008): no later message is lost without a word. Methods live on the
 * prototype: an idle connection holds no closures for its transport. Typed structurally, so
 * it type-checks without Bun's type declarations.
 *
 * @example
 * ```ts
 * import { BunSocketTransport } from "./bun_socket.ts";
 * const sent: Uint8Array[] = [];
 * const transport = new BunSocketTransport({
 *   sendBinary: (bytes) => (sent.push(bytes), bytes.length),
 *   close: () => {},
 *   terminate: () => {},
 *   getBufferedAmount: () => 0,
 * });
 * transport.send(new Uint8Array([23]));
 * console.assert(sent.length === 1 && transport.bufferedAmount === 0);
 * ```
 * @module
 */

import type { TransportEvents, TransportSocket } from "../server/transport.ts";
import { closeWhenDrained } from "./close_when_drained.ts";

/** Bun's `readyState` of an open `ServerWebSocket`. */
const socketOpen = 1;

/**
 * The part of Bun's `ServerWebSocket` the transport uses.
 *
 * @example
 * ```ts
 * import { type BunSocketLike, BunSocketTransport } from "./bun_socket.ts";
 * // Bun's `ServerWebSocket` fits as it is; this stand-in queues all it is given, as Bun does
 * // under backpressure.
 * let queued = 0;
 * const ws: BunSocketLike = {
 *   sendBinary: (data) => (queued += data.length, -1),
 *   close: () => {},
 *   terminate: () => {},
 *   getBufferedAmount: () => queued,
 * };
 * const transport = new BunSocketTransport(ws);
 * transport.send(new Uint8Array(100));
 * console.assert(transport.bufferedAmount === 100);
 * ```
 */
export interface BunSocketLike {
  /**
   * Sends binary data; returns -1 (queued under backpressure), 0 (dropped: the socket is closed,
   * or more than `backpressureLimit` was queued before it) or the bytes sent.
   */
  sendBinary(data: Uint8Array): number;
  /** 1 while open, 3 once closed (Bun's `ServerWebSocket` has no other states). */
  readonly readyState?: number;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once. */
  terminate(): void;
  /** Bytes waiting to be sent. */
  getBufferedAmount?(): number;
  /**
   * What Bun hands the message handler for a binary message: the transport sets `uint8array`
   * (Bun's default, `nodebuffer`, is a `Buffer`, whose `slice()` is a view, not a copy).
   */
  binaryType?: string;
}

/**
 * One Bun socket for the core.
 *
 * @example
 * ```ts
 * import { BunSocketTransport } from "./bun_socket.ts";
 * const closed: number[] = [];
 * const transport = new BunSocketTransport({
 *   sendBinary: () => 0,
 *   close: (code) => void closed.push(code ?? 1005),
 *   terminate: () => {},
 * });
 * transport.close(1001, "going away"); // nothing queued: closed at once
 * console.assert(closed[0] === 1001);
 * ```
 */
export class BunSocketTransport implements TransportSocket {
  readonly #ws: BunSocketLike;
  #stopClosing: (() => void) | undefined;
  #events: TransportEvents | undefined;

  /**
   * Wraps `ws`, and has Bun deliver its binary messages as plain `Uint8Array`s, as every other
   * adapter does: a handler's `payload.bytes.slice()` is then a copy on Bun too.
   */
  constructor(ws: BunSocketLike) {
    this.#ws = ws;
    ws.binaryType = "uint8array";
  }

  /**
   * Has a message that Bun drops for an open socket reported to `events` (its `dropped`): the
   * core then closes the client as a slow reader.
   */
  watch(events: TransportEvents): void {
    this.#events = events;
  }

  /**
   * Sends one binary message. Bun drops it for a closed socket, and for an open one with more
   * than its `backpressureLimit` queued: a client that does not read, which is told to the core.
   */
  send(bytes: Uint8Array): void {
    const ws = this.#ws;
    if (ws.sendBinary(bytes) !== 0 || bytes.length === 0 || ws.readyState !== socketOpen) return;
    this.#events?.dropped?.(
      `Bun dropped a message of ${bytes.length} bytes: more than its backpressureLimit was ` +
        "queued for the client: it does not read, or not fast enough",
    );
  }

  /**
   * Always `true`: Bun's `sendBinary` has written the bytes or copied them into its queue when
   * it returns (`bun_socket_test.ts` checks it), so the core may reuse one buffer for every
   * message; for a 4 KiB reply that saves allocating and zeroing a new array.
   */
  get copiesOnSend(): boolean {
    return true;
  }

  /** Bytes queued and not yet written. */
  get bufferedAmount(): number {
    return this.#ws.getBufferedAmount?.() ?? 0;
  }

  /** Sends the close frame once nothing is queued before it. */
  close(code: number, reason: string): void {
    const ws = this.#ws;
    this.#stopClosing ??= closeWhenDrained(
      {
        get bufferedAmount() {
          return ws.getBufferedAmount?.() ?? 0;
        },
        close: (code, reason) => ws.close(code, reason),
      },
      code,
      reason,
    );
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.#stopClosing?.();
    this.#ws.terminate();
  }
}
