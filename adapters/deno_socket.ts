/**
 * A server-side `WebSocket` of `Deno.upgradeWebSocket` as the server core sees it
 * (`TransportSocket`), closed so that the peer sees the close code and dropped when the peer
 * does not answer. Used by the Deno adapter and by the Hono adapter under Deno.
 *
 * Two things about Deno's server sockets (Deno 2.9, `ext/websocket/01_websocket.js`) shape it:
 *
 * - Once `close()` has been called, the next data frame from the peer makes Deno drop the TCP
 *   connection at once, with that frame's successors still unread: the kernel answers with a
 *   reset, and a peer that was still sending then usually loses the close frame (it sees 1006).
 *   So the close frame is sent only once the peer has been quiet for a moment.
 * - A peer that never answers the close keeps the socket open for good: no public API ends the
 *   read that Deno waits in. {@link DenoSocketCloser.terminate} ends it through Deno's internal
 *   resource table when the runtime has one (feature-detected; nothing happens without it).
 *   Writes the peer never reads still hold the connection until the peer reads or goes away.
 *
 * Methods live on the prototype: an idle connection holds no closures for its transport.
 *
 * @example
 * ```ts
 * import { DenoSocketTransport } from "./deno_socket.ts";
 * const http = Deno.serve({ port: 0, onListen: () => {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   const transport = new DenoSocketTransport(socket);
 *   socket.onmessage = () => {
 *     transport.received();
 *     // Sent once the client has paused for 50 ms after this message.
 *     transport.close(1002, "no messages wanted", performance.now());
 *   };
 *   return response;
 * });
 * const client = new WebSocket(`ws://127.0.0.1:${http.addr.port}/`);
 * client.onopen = () => client.send("hello");
 * const code = await new Promise((resolve) => client.onclose = (e) => resolve(e.code));
 * console.assert(code === 1002);
 * await http.shutdown();
 * ```
 * @module
 */

import type { TransportEvents, TransportSocket } from "../server/transport.ts";
import { eventHandled, eventTurn, handlingEvent, turnSoFar } from "./event_turn.ts";

/** `WebSocket.OPEN`, which Deno reads through a lazy global getter on every access. */
const socketOpen = 1;

/** How long the peer must have sent nothing before the close frame goes out. */
export const quietBeforeClose = 50;

/**
 * What Deno holds for each message queued and not yet written, besides its bytes: its pending
 * write (measured: about 1 KB of memory a message for small ones, on Deno 2.9).
 */
export const queuedMessageCost = 1024;

/** Sends between two looks at which of the messages sent have been written. */
const settleEvery = 64;

/**
 * One Deno server socket for the core, closed as described in the module documentation.
 *
 * @example
 * ```ts
 * import { DenoSocketTransport } from "./deno_socket.ts";
 * const http = Deno.serve({ port: 0, onListen: () => {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   const transport = new DenoSocketTransport(socket);
 *   socket.onopen = () => {
 *     transport.send(new Uint8Array([23, 2, 0]));
 *     transport.close(1001, "going away");
 *     // The peer has 5 s to answer; then the connection is dropped.
 *     const deadline = setTimeout(() => transport.terminate(), 5000);
 *     socket.onclose = () => clearTimeout(deadline);
 *   };
 *   return response;
 * });
 * const client = new WebSocket(`ws://127.0.0.1:${http.addr.port}/`);
 * const code = await new Promise((resolve) => client.onclose = (e) => resolve(e.code));
 * console.assert(code === 1001);
 * await http.shutdown();
 * ```
 */
export class DenoSocketTransport implements TransportSocket {
  readonly #socket: WebSocket;
  #lastReceived = -Infinity;
  #pending: { code: number; reason: string } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Sizes of the messages sent and maybe not written yet, oldest first from `#head`. */
  #sizes: number[] | undefined;
  #head = 0;
  /** Their sum. */
  #unsettledBytes = 0;
  /** How many may be listed before the next look at what was written. */
  #settleAt = settleEvery;
  /** The event turn of the last send, and where its sends begin in `#sizes`. */
  #turn = -1;
  #turnStart = 0;

  /** Wraps `socket`, a `WebSocket` from `Deno.upgradeWebSocket`. */
  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /** Sends one binary message if the socket is open. */
  send(bytes: Uint8Array): void {
    if (this.#socket.readyState !== socketOpen) return;
    this.#socket.send(bytes as Uint8Array<ArrayBuffer>);
    const sizes = this.#sizes ??= [];
    // Before this message is listed: one written at once is then seen as such.
    if (sizes.length - this.#head >= this.#settleAt) this.#settle();
    const turn = eventTurn();
    if (turn !== this.#turn) [this.#turn, this.#turnStart] = [turn, sizes.length];
    sizes.push(bytes.length);
    this.#unsettledBytes += bytes.length;
  }

  /** {@link queuedMessageCost}: counted in {@link bufferedAmount} for each queued message. */
  get queuedMessageCost(): number {
    return queuedMessageCost;
  }

  /**
   * What the messages queued and not yet written cost: their bytes (Deno's `bufferedAmount`
   * counts only these) and {@link queuedMessageCost} for each one sent in an earlier turn of
   * the event loop. A client that reads nothing while it is sent many small messages is then
   * closed as a slow reader once that cost, not their bytes alone, passes the server's
   * `maxSendBuffer` (before, a stream of 1-byte signals made Deno hold about 45 times that);
   * a burst sent in one go (the kept signals after a restore, say) is counted by its bytes
   * until Deno has had a turn to write it.
   */
  get bufferedAmount(): number {
    const queued = this.#settle();
    if (queued === 0) return 0;
    const listed = this.#sizes!.length - this.#head;
    const older = this.#turn === turnSoFar() ? this.#turnStart - this.#head : listed;
    return queued + Math.max(0, older) * queuedMessageCost;
  }

  /**
   * Forgets the sizes of the messages written since the last look (Deno writes them in order,
   * and its `bufferedAmount` drops by a message's size once it is written); returns the bytes
   * still queued.
   */
  #settle(): number {
    const queued = this.#socket.bufferedAmount;
    const sizes = this.#sizes;
    if (sizes === undefined) return queued;
    if (queued === 0) {
      sizes.length =
        this.#head =
        this.#unsettledBytes =
        this.#turnStart =
          0;
    } else {
      while (this.#unsettledBytes > queued && this.#head < sizes.length) {
        this.#unsettledBytes -= sizes[this.#head++];
      }
      if (this.#head >= settleEvery && this.#head * 2 >= sizes.length) {
        sizes.splice(0, this.#head);
        this.#turnStart -= this.#head;
        this.#head = 0;
      }
    }
    this.#settleAt = sizes.length - this.#head + settleEvery;
    return queued;
  }

  /**
   * Always `true`: Deno's `send` has copied the bytes when it returns and never reads the
   * view's `.buffer` (`deno_socket_test.ts` checks it), so the core may reuse one buffer for
   * every message, which on Deno costs far less than a new array each.
   */
  get copiesOnSend(): boolean {
    return true;
  }

  /**
   * The peer sent a message (call it from the socket's message handler). Only a message that
   * arrives once a close is pending needs the time: the core passes the time of earlier ones
   * to {@link DenoSocketTransport.close} (reading the clock costs 60 to 130 ns on Deno).
   */
  received(): void {
    if (this.#pending !== undefined) this.#lastReceived = performance.now();
  }

  /**
   * Sends the close frame once the peer has been quiet for {@link quietBeforeClose} ms since
   * `lastMessageAt` (`performance.now()` ms; default: quiet already) and every later message.
   */
  close(code: number, reason: string, lastMessageAt = -Infinity): void {
    if (this.#pending !== undefined) return;
    this.#pending = { code, reason };
    this.#lastReceived = lastMessageAt;
    this.#closeWhenQuiet();
  }

  /** Closes at once and ends Deno's wait for the peer's answer. */
  terminate(): void {
    clearTimeout(this.#timer);
    this.#sendClose();
    const rid = resourceId(this.#socket);
    if (rid !== undefined) denoCore()?.tryClose?.(rid);
  }

  #closeWhenQuiet(): void {
    const quietFor = performance.now() - this.#lastReceived;
    if (quietFor >= quietBeforeClose) return this.#sendClose();
    this.#timer = setTimeout(() => this.#closeWhenQuiet(), quietBeforeClose - quietFor);
  }

  #sendClose(): void {
    const pending = this.#pending;
    if (pending === undefined || this.#socket.readyState !== socketOpen) return;
    this.#socket.close(pending.code, pending.reason);
  }
}

/**
 * Hands `socket`'s messages and its close to the core's `events` from now on (call it when the
 * socket opens), through `transport`, its {@link DenoSocketTransport}: it takes over the socket's
 * `onmessage` and `onclose`. Messages arrive as `ArrayBuffer`s (set `binaryType` first).
 *
 * @example
 * ```ts
 * import { deliverDenoSocket, DenoSocketTransport } from "./deno_socket.ts";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * const server = new Server({ onRequest: (request) => `hello ${request.payload.text()}` });
 * const http = Deno.serve({ port: 0, onListen: () => {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.binaryType = "arraybuffer";
 *   const transport = new DenoSocketTransport(socket);
 *   socket.onopen = () => deliverDenoSocket(socket, transport, server.accept(transport));
 *   return response;
 * });
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/`);
 * console.assert((await client.request("greet", "ada")).text() === "hello ada");
 * await client.close();
 * await server.shutdown();
 * await http.shutdown();
 * ```
 */
export function deliverDenoSocket(
  socket: WebSocket,
  transport: DenoSocketTransport,
  events: TransportEvents,
): void {
  socket.onmessage = (event) => {
    transport.received();
    const data = event.data;
    // Each message is an event of its own: its replies share a turn, and no microtask counts it.
    handlingEvent();
    try {
      events.message(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    } finally {
      eventHandled();
    }
  };
  // An error is always followed by a close event, which ends the connection: no error handler
  // (each handler costs memory on every connection).
  socket.onclose = (event) => events.closed(event.code, event.reason);
}

interface DenoCore {
  tryClose?(rid: number): void;
}

/** Deno's internal core object, when the runtime exposes it. */
function denoCore(): DenoCore | undefined {
  const deno = (globalThis as { Deno?: Record<PropertyKey, unknown> }).Deno;
  const key = deno?.internal;
  if (deno === undefined || typeof key !== "symbol") return undefined;
  const internal = deno[key] as { core?: DenoCore } | undefined;
  return internal?.core;
}

/** The resource id Deno keeps on its WebSocket under a private symbol. */
function resourceId(socket: WebSocket): number | undefined {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === "[[rid]]");
  if (symbol === undefined) return undefined;
  const rid = (socket as unknown as Record<symbol, unknown>)[symbol];
  return typeof rid === "number" ? rid : undefined;
}
