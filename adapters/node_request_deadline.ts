/**
 * The time a new connection of a `node:http` server gets to send its first request head: a
 * socket that has sent no whole request (or upgrade) by then is destroyed, as `serveDenoTcp`
 * drops one at its `requestTimeout`. `node:http` itself keeps a connection that never sends a
 * byte open for good (on Node and Deno). Internal to the Node adapter.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { connect, type AddressInfo } from "node:net";
 * import { FirstRequestDeadline } from "./node_request_deadline.ts";
 * const http = createServer((_request, response) => response.end("hi"));
 * new FirstRequestDeadline(http, 100);
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const silent = connect((http.address() as AddressInfo).port, "127.0.0.1").on("error", () => {});
 * await new Promise((resolve) => silent.once("close", resolve)); // dropped after about 100 ms
 * await new Promise((resolve) => http.close(resolve));
 * ```
 * @module
 */

import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { startTimeout } from "./timeout_option.ts";

/**
 * Arms a timer for each new connection of `http` ('connection' event) and clears it when its
 * first request or upgrade arrives, or when it closes; a timer that fires destroys the socket.
 * A socket that has had its first request is never armed again (Bun's `node:http` may report
 * a connection late), so a keep-alive or upgraded connection is never touched. A request with
 * an `Expect` other than `100-continue` counts as one too: it listens for 'checkExpectation'
 * (without a listener `node:http` answers such a request itself, with no 'request' event) and
 * answers 417 as `node:http` does.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { FirstRequestDeadline } from "./node_request_deadline.ts";
 * const http = createServer((_request, response) => response.end("hi"));
 * const deadline = new FirstRequestDeadline(http, 10_000);
 * console.assert(deadline.waiting === 0); // no connection yet
 * // At shutdown: connections still waiting for their first request go at once.
 * deadline.dropWaiting();
 * ```
 */
export class FirstRequestDeadline {
  /** The connections waiting for their first request, each with its timer (none: no limit). */
  readonly #timers = new Map<Duplex, ReturnType<typeof setTimeout> | undefined>();
  readonly #started = new WeakSet<Duplex>();

  /**
   * Watches the connections of `http`, giving each `timeoutMs` for its first request head
   * (`Infinity`: no limit; a longer delay than `setTimeout` takes is clamped).
   */
  constructor(http: HttpServer, timeoutMs: number) {
    http.on("connection", (socket: Duplex) => {
      if (this.#started.has(socket) || this.#timers.has(socket) || socket.destroyed) return;
      this.#timers.set(socket, startTimeout(timeoutMs, () => socket.destroy()));
      socket.once("close", () => this.#clear(socket));
    });
    // Before the adapter's own listeners, which may hand the socket over (an upgrade).
    http.prependListener("request", (request: IncomingMessage) => this.#arrived(request.socket));
    http.prependListener("upgrade", (_request: IncomingMessage, socket: Duplex) => {
      this.#arrived(socket);
    });
    http.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
      this.#arrived(request.socket);
      response.writeHead(417);
      response.end();
    });
  }

  /** How many connections are still waiting for their first request (each with a timer). */
  get waiting(): number {
    return this.#timers.size;
  }

  /** Destroys every connection that has not sent its first request yet. */
  dropWaiting(): void {
    for (const socket of [...this.#timers.keys()]) {
      this.#clear(socket);
      socket.destroy();
    }
  }

  #arrived(socket: Duplex): void {
    this.#started.add(socket);
    this.#clear(socket);
  }

  #clear(socket: Duplex): void {
    if (!this.#timers.has(socket)) return;
    clearTimeout(this.#timers.get(socket));
    this.#timers.delete(socket);
  }
}
