/**
 * The runtime-neutral socket that the server core talks to. Each runtime adapter (Deno, Bun,
 * Hono, Node) wraps its WebSocket in a {@link TransportSocket} and forwards the socket's events
 * to the {@link TransportEvents} that `Server.accept` returns.
 *
 * @example
 * ```ts
 * import type { TransportSocket } from "@webwire/webwire/server";
 * const sent: Uint8Array[] = [];
 * const socket: TransportSocket = {
 *   send: (bytes) => void sent.push(bytes),
 *   close: () => {},
 *   terminate: () => {},
 *   bufferedAmount: 0,
 * };
 * socket.send(new Uint8Array([23]));
 * console.assert(sent.length === 1);
 * ```
 * @module
 */

/**
 * What the core needs of an open WebSocket.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { decodeMessage, encodeRequest } from "@webwire/webwire/protocol";
 * import type { TransportSocket } from "@webwire/webwire/server";
 * // What an adapter hands the core: here a socket that records the kinds of messages sent.
 * const sent: string[] = [];
 * const socket: TransportSocket = {
 *   send: (bytes) => void sent.push(decodeMessage(bytes).kind),
 *   close: () => {},
 *   terminate: () => {},
 *   bufferedAmount: 0,
 * };
 * const server = new Server({ sessionsEnabled: false, onRequest: (request) => request.payload });
 * const events = server.accept(socket);
 * events.message(encodeRequest({ id: new Uint8Array(8), name: "echo", payload: "hi" }));
 * console.assert(sent.join() === "accept-conf,reply");
 * events.closed(1000, "");
 * await server.shutdown();
 * ```
 */
export interface TransportSocket {
  /** Sends one binary message. Must not throw for a closed socket (drop the bytes instead). */
  send(bytes: Uint8Array): void;
  /**
   * Starts the closing handshake with a WebSocket close code and reason (at most 123 bytes).
   * Messages that arrive afterwards may be dropped. `lastMessageAt` is when the core last read
   * a message from the peer (`performance.now()` ms), for a socket that sends its close frame
   * only once the peer has paused (Deno's).
   */
  close(code: number, reason: string, lastMessageAt?: number): void;
  /**
   * Drops the connection at once, without waiting for the peer: the server calls it when a
   * close has not completed within `closeTimeout`. Must not throw for a socket already gone.
   */
  terminate(): void;
  /**
   * Bytes queued for sending but not yet written to the network (or what they cost: see
   * `queuedMessageCost`).
   */
  readonly bufferedAmount: number;
  /**
   * Optional: what `bufferedAmount` counts for each queued message besides its bytes, where the
   * runtime holds much more than the bytes per message (Deno: about 1 KB); the core counts it
   * for every message it sends when it estimates the queue between two looks at
   * `bufferedAmount`. Default 0.
   */
  readonly queuedMessageCost?: number;
  /**
   * Optional: the client broke the protocol and the core will close the connection once the
   * replies of the handlers already running are out: read nothing more, and keep the connection
   * if the peer ends its side (FIN) meanwhile, until the close frame is written. For adapters
   * that read the socket themselves; a runtime's own WebSocket (Deno's, Bun's) decides this.
   */
  stopReading?(): void;
  /**
   * Whether `send` has copied the bytes when it returns and never reads the view's `.buffer`
   * (Deno's `WebSocket.send`, Bun's `sendBinary`): the core then encodes the replies and signals
   * of this socket into one reused buffer (`protocol/message_scratch.ts`) instead of a new array
   * each, which pays where allocating costs far more than a view (Deno; larger messages on
   * Bun); and a reply that carries its request's own payload is written over the request's
   * bytes (`server/echo_reply.ts`), which the socket then sends. Default `false`.
   */
  readonly copiesOnSend?: boolean;
}

/**
 * The events an adapter forwards to the core for one accepted socket.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { encodeRequest } from "@webwire/webwire/protocol";
 * import type { TransportEvents } from "@webwire/webwire/server";
 * const names: string[] = [];
 * const server = new Server({
 *   sessionsEnabled: false,
 *   onRequest: (request) => void names.push(request.name),
 * });
 * const socket = { send: () => {}, close: () => {}, terminate: () => {}, bufferedAmount: 0 };
 * // An adapter calls these for its socket's events: a binary message, then the close.
 * const events: TransportEvents = server.accept(socket, {}, { remoteAddress: "127.0.0.1:5000" });
 * events.message(encodeRequest({ id: new Uint8Array(8), name: "ping" }));
 * console.assert(names[0] === "ping" && server.connectionCount === 1);
 * events.closed(1000, "bye");
 * console.assert(server.connectionCount === 0);
 * await server.shutdown();
 * ```
 */
export interface TransportEvents {
  /**
   * A message arrived: bytes for a binary frame, a string for a text frame. The core owns the
   * bytes from then on: handlers keep views of them, and the reply to a request may be written
   * over them. Hand over an array of the message's own (no pooled or reused read buffer).
   */
  message(data: Uint8Array | string): void;
  /** The socket closed (by either side). */
  closed(code?: number, reason?: string): void;
  /** The socket's send buffer drained (optional: the core also polls `bufferedAmount`). */
  drained(): void;
  /**
   * The adapter found that the peer broke the WebSocket protocol (a malformed frame, invalid
   * UTF-8, a message over the limit): the core closes the connection with `code` as it does for
   * a protocol violation of its own, after the replies of the handlers already running (within
   * `closeGrace`). For adapters that do their own framing; a runtime that closes such
   * connections itself reports only `closed`.
   */
  failed?(code: number, reason: string): void;
  /**
   * The runtime dropped a message the core gave it for the peer, as it had more queued for the
   * peer than it allows (Bun past its `backpressureLimit`): the core closes the connection as a
   * slow reader (1008), so that no later message is lost without a word. `message` says what
   * was dropped.
   */
  dropped?(message: string): void;
}

/**
 * Per-connection settings decided before the upgrade (by the `beforeUpgrade` hook).
 *
 * @example
 * ```ts
 * import type { ConnectionOptions } from "@webwire/webwire/server";
 * const options: ConnectionOptions = { info: { user: "ada" }, concurrencyLimit: 1 };
 * console.assert(options.concurrencyLimit === 1);
 * ```
 */
export interface ConnectionOptions {
  /** Application data attached to the connection, readable as `connection.info`. */
  info?: Record<string, unknown>;
  /**
   * How many requests and signals of this connection are handled at once: 0 or less for
   * unlimited (the default), 1 for strictly one after another, N for at most N. Messages beyond
   * the limit wait in arrival order.
   */
  concurrencyLimit?: number;
}

/**
 * The outcome of `Server.prepareUpgrade`: either a response that refuses the upgrade (or
 * answers an OPTIONS request), or the go-ahead with the connection's options.
 *
 * @example
 * ```ts
 * import type { UpgradeDecision } from "@webwire/webwire/server";
 * const refuse: UpgradeDecision = { accept: false, response: new Response(null, { status: 403 }) };
 * console.assert(!refuse.accept);
 * ```
 */
export type UpgradeDecision =
  | { readonly accept: true; readonly options: ConnectionOptions }
  | { readonly accept: false; readonly response: Response };

/**
 * An upgrade request as seen by an adapter whose runtime has no WHATWG `Request` of its own
 * (Node's `http`): the method and headers that {@link Server.prepareUpgrade} checks, and the
 * full `Request`, made only when a hook (`beforeUpgrade`, `onOptions`) asks for it. Building
 * a `Request` for every upgrade costs about a kilobyte of garbage per connection on Node.
 *
 * @example
 * ```ts
 * import type { UpgradeRequestHead } from "@webwire/webwire/server";
 * const headers: Record<string, string> = { upgrade: "websocket" };
 * const head: UpgradeRequestHead = {
 *   method: "GET",
 *   header: (name) => headers[name] ?? null,
 *   toRequest: () => new Request("http://localhost/", { headers }),
 * };
 * console.assert(head.header("upgrade") === "websocket");
 * ```
 */
export interface UpgradeRequestHead {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** A header's value by its lower-case name, or `null`. */
  header(name: string): string | null;
  /** The whole request; called at most once per upgrade, and only when a hook needs it. */
  toRequest(): Request;
}

/**
 * Information about the peer that the adapter knows.
 *
 * @example
 * ```ts
 * import type { PeerInfo } from "@webwire/webwire/server";
 * const peer: PeerInfo = { remoteAddress: "127.0.0.1:50000" };
 * console.assert(peer.remoteAddress.startsWith("127."));
 * ```
 */
export interface PeerInfo {
  /** The remote address as `host:port`, or `""` when the runtime does not tell. */
  remoteAddress: string;
}
