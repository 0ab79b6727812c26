/**
 * Bun's `websocket` handlers for a Hono app that serves WebWire: Hono's own (`websocket` of
 * `hono/bun`) wrapped so that the sockets {@link honoHandler} opened get their messages, closes
 * and drains straight from Bun, as with the Bun adapter, while every other socket of the app
 * still goes through Hono. Hono's handler builds, for every message, a `MessageEvent`, a new
 * `WSContext` (which parses the socket's URL again) and an `ArrayBuffer` for the message's
 * bytes: about 2 µs of server CPU per message on Bun, more than the whole request/reply of the
 * Bun adapter. Typed structurally: it imports neither Hono nor Bun.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { honoBunWebSocket } from "@webwire/webwire/adapters/hono";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * // With Hono on Bun: import { websocket } from "hono/bun";
 * const websocket = { open() {}, message() {}, close() {} };
 * const server = new Server({ messageBufferSize: 4096, sessionManager: new MemorySessionManager() });
 * const handlers = honoBunWebSocket(server, websocket);
 * console.assert(handlers.maxPayloadLength === 4096 && handlers.idleTimeout === 0);
 * // Bun.serve({ fetch: app.fetch, websocket: handlers });
 * ```
 * @module
 */

import { reportBunClose } from "./bun_close.ts";
import type { Server } from "../server/server.ts";
import type { TransportEvents } from "../server/transport.ts";

/** Where the adapter keeps the core's events on a Bun socket's `data` (Hono's object). */
const coreEvents: unique symbol = Symbol("webwire core events");

interface RoutedData {
  [coreEvents]?: TransportEvents;
}

/**
 * Marks a Bun socket opened by the Hono adapter so that {@link honoBunWebSocket}'s handlers
 * deliver its events to `events` directly. Without those handlers the mark is unused and Hono
 * delivers the events to the adapter as usual.
 *
 * @example
 * ```ts
 * import { routeToCore } from "./hono_bun_websocket.ts";
 * const raw = { data: {} };
 * routeToCore(raw, { message() {}, closed() {}, drained() {} });
 * console.assert(Object.getOwnPropertySymbols(raw.data).length === 1);
 * ```
 */
export function routeToCore(raw: { readonly data?: unknown }, events: TransportEvents): void {
  const data = raw.data;
  if (typeof data === "object" && data !== null) (data as RoutedData)[coreEvents] = events;
}

function routed(ws: { readonly data: unknown }): TransportEvents | undefined {
  const data = ws.data;
  return typeof data === "object" && data !== null ? (data as RoutedData)[coreEvents] : undefined;
}

/**
 * The Bun `websocket` handlers of a Hono helper (`websocket` of `hono/bun`), as
 * {@link honoBunWebSocket} takes them. `S` is the helper's socket type, `M` its message type.
 *
 * @example
 * ```ts
 * import type { HonoBunWebSocketHandlers } from "@webwire/webwire/adapters/hono";
 * const handlers: HonoBunWebSocketHandlers<{ data: unknown }, string> = {
 *   open() {},
 *   message() {},
 *   close() {},
 * };
 * console.assert(handlers.drain === undefined);
 * ```
 */
export interface HonoBunWebSocketHandlers<S extends { readonly data: unknown }, M> {
  /** A socket opened. */
  open(ws: S): void;
  /** A message arrived. */
  message(ws: S, message: M): void;
  /** A socket closed. */
  close(ws: S, code?: number, reason?: string): void;
  /** A socket's send buffer drained. */
  drain?(ws: S): void;
}

/**
 * What {@link honoBunWebSocket} returns: the `websocket` option of `Bun.serve`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { honoBunWebSocket, honoHandler } from "@webwire/webwire/adapters/hono";
 * // Under Bun with bun-types, `Bun` is declared; here, the part of it used.
 * type BunLike = { serve(options: object): { port: number; stop(): Promise<void> } };
 *
 * async function main(): Promise<void> {
 *   const { Bun } = globalThis as unknown as { Bun: BunLike };
 *   const { upgradeWebSocket, websocket } = await import("hono/bun"); // loads only under Bun
 *   const server = new Server({ onRequest: (request) => request.payload });
 *   const app = new Hono().get("/ws", honoHandler(server, upgradeWebSocket));
 *   const bunWebsocket = honoBunWebSocket(server, websocket); // Hono's handlers + WebWire's limits
 *   console.assert(bunWebsocket.idleTimeout === 0); // WebWire's read timeout applies instead
 *   const http = Bun.serve({ port: 0, fetch: app.fetch, websocket: bunWebsocket });
 *   const client = new Client(`ws://127.0.0.1:${http.port}/ws`);
 *   console.assert((await client.request("echo", "hi")).text() === "hi");
 *   await client.close(), await server.shutdown(), await http.stop();
 * }
 * if ("Bun" in globalThis) await main();
 * ```
 */
export interface HonoBunWebSocket<S extends { readonly data: unknown }, M>
  extends HonoBunWebSocketHandlers<S, M> {
  /** Drains go to the core (WebWire's sockets) or to Hono's handler, if it has one. */
  drain(ws: S): void;
  /** The server's message buffer size: Bun refuses larger messages itself (close code 1009). */
  maxPayloadLength: number;
  /** Above the core's own send limit; only guards against Bun dropping messages silently. */
  backpressureLimit: number;
  /** Bun closes a socket whose queue passes `backpressureLimit`. */
  closeOnBackpressureLimit: boolean;
  /** `0`: WebWire's read timeout replaces Bun's idle timeout. */
  idleTimeout: number;
}

/**
 * Wraps Hono's Bun `websocket` handlers for `Bun.serve`: the sockets the Hono adapter opened
 * (with `honoHandler(server, upgradeWebSocket)` on a route) get their messages, closes and drains
 * delivered to the WebWire core straight from Bun, skipping the `MessageEvent` and `WSContext`
 * that Hono builds for each of them; `open`, and every event of the app's other WebSocket
 * routes, still go to Hono. Also sets the limits that `bunHandlers` sets: `maxPayloadLength`
 * from the server's message buffer size, a backpressure limit above the core's, and
 * `idleTimeout: 0` (they apply to the app's other WebSocket routes too).
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { honoBunWebSocket } from "@webwire/webwire/adapters/hono";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * // import { upgradeWebSocket, websocket } from "hono/bun";
 * // app.get("/ws", honoHandler(server, upgradeWebSocket, { getConnInfo }));
 * // Bun.serve({ port: 8080, fetch: app.fetch, websocket: honoBunWebSocket(server, websocket) });
 * const messages: string[] = [];
 * const hono = { open() {}, message: (_ws: unknown, m: string) => void messages.push(m), close() {} };
 * const handlers = honoBunWebSocket(new Server({ sessionManager: new MemorySessionManager() }), hono);
 * handlers.message({ data: {} }, "not a WebWire socket: Hono's");
 * console.assert(messages.length === 1);
 * ```
 */
export function honoBunWebSocket<S extends { readonly data: unknown }, M>(
  server: Server,
  websocket: HonoBunWebSocketHandlers<S, M>,
): HonoBunWebSocket<S, M> {
  return {
    open(ws) {
      websocket.open(ws);
    },
    message(ws, message) {
      const events = routed(ws);
      // Bun delivers a string for a text frame and, with the `binaryType` BunSocketTransport
      // sets, a Uint8Array for a binary one.
      if (events !== undefined) events.message(message as string | Uint8Array);
      else websocket.message(ws, message);
    },
    close(ws, code, reason) {
      const events = routed(ws);
      if (events !== undefined) reportBunClose(events, code, reason);
      else websocket.close(ws, code, reason);
    },
    drain(ws) {
      const events = routed(ws);
      if (events !== undefined) events.drained();
      else websocket.drain?.(ws);
    },
    maxPayloadLength: server.limits.messageBufferSize,
    backpressureLimit: Math.min(2 * server.limits.maxSendBuffer, 0xffffffff),
    closeOnBackpressureLimit: true,
    idleTimeout: 0,
  };
}
