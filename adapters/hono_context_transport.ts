/**
 * The Hono adapter's transport for a socket of a runtime it does not know: the core talks to
 * Hono's own `WSContext` (and, where the raw socket has them, its `terminate` and
 * `bufferedAmount`). Deno's, Bun's and `ws`'s sockets have transports of their own.
 *
 * @example
 * ```ts
 * import { HonoContextTransport } from "./hono_context_transport.ts";
 * const sent: number[] = [];
 * const transport = new HonoContextTransport({
 *   readyState: 1,
 *   send: (data) => void sent.push(data.length),
 *   close: () => {},
 * });
 * transport.send(new Uint8Array(3));
 * console.assert(sent[0] === 3 && transport.bufferedAmount === 0);
 * ```
 * @module
 */

import type { TransportSocket } from "../server/transport.ts";
import type { HonoWSContextLike } from "./hono.ts";

/**
 * Hono's socket context as the core's socket. It cannot drop a connection unless its raw socket
 * has a `terminate`: else `terminate` only closes.
 *
 * @example
 * ```ts
 * import { HonoContextTransport } from "./hono_context_transport.ts";
 * let terminated = false;
 * const raw = { terminate: () => terminated = true, bufferedAmount: 10 };
 * const transport = new HonoContextTransport({ raw, readyState: 1, send() {}, close() {} });
 * transport.terminate();
 * console.assert(terminated && transport.bufferedAmount === 10);
 * ```
 */
export class HonoContextTransport implements TransportSocket {
  readonly #ws: HonoWSContextLike;

  constructor(ws: HonoWSContextLike) {
    this.#ws = ws;
  }

  send(bytes: Uint8Array): void {
    if (this.#ws.readyState === 1) this.#ws.send(bytes as Uint8Array<ArrayBuffer>);
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    const raw = this.#ws.raw as { terminate?: unknown } | undefined;
    if (typeof raw?.terminate === "function") raw.terminate();
    else this.#ws.close();
  }

  get bufferedAmount(): number {
    const buffered = (this.#ws.raw as { bufferedAmount?: unknown } | undefined)?.bufferedAmount;
    return typeof buffered === "number" ? buffered : 0;
  }
}
