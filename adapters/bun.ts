/**
 * The Bun adapter: serves a WebWire {@link Server} with `Bun.serve`, using Bun's send status
 * and `drain` event for backpressure and its `maxPayloadLength` for the message size limit.
 * Typed structurally, so it type-checks without Bun's type declarations.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveBun } from "@webwire/webwire/adapters/bun";
 *
 * async function main(): Promise<void> {
 *   const server = new Server({ onRequest: (request) => `hello ${request.payload.text()}` });
 *   const running = serveBun(server, { port: 0 }); // or Bun.serve({ ...bunHandlers(server) })
 *   const client = new Client(running.url);
 *   console.assert((await client.request("greet", "Ada")).text() === "hello Ada");
 *   await client.close();
 *   await running.close();
 * }
 * if ("Bun" in globalThis) await main(); // serveBun needs Bun's runtime
 * ```
 * @module
 */

import { assertServable } from "../server/errors.ts";
import type { Server } from "../server/server.ts";
import type { ConnectionOptions, TransportEvents } from "../server/transport.ts";
import { reportBunClose } from "./bun_close.ts";
import { BunSocketTransport } from "./bun_socket.ts";
import type { ListenOptions, RunningServer } from "./listening.ts";
import { hostPort } from "./host_port.ts";
import { listenAt } from "./listen_failure.ts";
import { routeFor, wsUrl } from "./route.ts";
import { handshakeProblem, requestHead } from "./websocket/handshake.ts";

export type { ListenOptions, RunningServer } from "./listening.ts";
export type { FallbackHandler } from "./route.ts";
export { bunCloseCode } from "./bun_close.ts";

/**
 * What the adapter keeps on each Bun socket (`ws.data`).
 *
 * @example
 * ```ts
 * import type { BunSocketData } from "@webwire/webwire/adapters/bun";
 * const data: BunSocketData = { options: {}, remoteAddress: "" };
 * console.assert(data.events === undefined);
 * ```
 */
export interface BunSocketData {
  /** Connection options from `beforeUpgrade`. */
  options: ConnectionOptions;
  /** The client's address. */
  remoteAddress: string;
  /** The core's event handlers, set when the socket opens. */
  events?: TransportEvents;
}

/**
 * The part of Bun's `ServerWebSocket` the adapter uses.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { bunHandlers, type BunWebSocket } from "@webwire/webwire/adapters/bun";
 *
 * const { fetch, websocket } = bunHandlers(new Server({ onRequest: (r) => r.payload }));
 * let bytesIn = 0;
 * // Bun's `websocket` option, counting the bytes that arrive before WebWire handles them.
 * const counting = {
 *   ...websocket,
 *   message(ws: BunWebSocket, message: string | Uint8Array): void {
 *     bytesIn += message.length;
 *     websocket.message(ws, message);
 *   },
 * };
 * console.assert(counting.maxPayloadLength === websocket.maxPayloadLength && bytesIn === 0);
 * // Under Bun: Bun.serve({ port: 8080, fetch, websocket: counting });
 * ```
 */
export interface BunWebSocket {
  /** Per-socket data given to `upgrade`. */
  data: BunSocketData;
  /** Sends binary data; returns -1 (queued under backpressure), 0 (dropped) or bytes sent. */
  sendBinary(data: Uint8Array): number;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once. */
  terminate(): void;
  /** Bytes waiting to be sent. */
  getBufferedAmount?(): number;
  /** `1` when open. */
  readonly readyState: number;
}

/**
 * The part of Bun's `Server` the adapter uses.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { bunHandlers, type BunServerLike } from "@webwire/webwire/adapters/bun";
 *
 * // Bun passes its server to `fetch`; a stand-in shows what the handler asks of it.
 * const upgradedFrom: string[] = [];
 * const bun: BunServerLike = {
 *   upgrade: (_request, { data }) => upgradedFrom.push(data.remoteAddress) > 0,
 *   requestIP: () => ({ address: "10.0.0.7", port: 50000 }),
 * };
 * const handshake = new Request("http://localhost/", {
 *   headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13",
 *     "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
 * });
 * const response = await bunHandlers(new Server()).fetch(handshake, bun);
 * console.assert(response === undefined && upgradedFrom[0] === "10.0.0.7:50000");
 * ```
 */
export interface BunServerLike {
  /** Upgrades a request to a WebSocket. */
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
  /** The client's address, if known. */
  requestIP?(request: Request): { address: string; port: number } | null;
}

/**
 * The `fetch` and `websocket` members to spread into `Bun.serve` options.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import {
 *   type BunHandlers,
 *   bunHandlers,
 *   type BunServerLike,
 * } from "@webwire/webwire/adapters/bun";
 *
 * const webwire: BunHandlers = bunHandlers(new Server({ onRequest: (r) => r.payload }));
 * // Bun.serve's `fetch`: WebWire on /ws, the application's page elsewhere.
 * const fetch = (request: Request, bun: BunServerLike) =>
 *   new URL(request.url).pathname === "/ws" ? webwire.fetch(request, bun) : new Response("page");
 * const page = await fetch(new Request("http://localhost/"), { upgrade: () => false });
 * console.assert((await page?.text()) === "page");
 * // Under Bun: Bun.serve({ port: 8080, fetch, websocket: webwire.websocket });
 * ```
 */
export interface BunHandlers {
  /** Upgrades requests as the server decides. */
  fetch(request: Request, bun: BunServerLike): Promise<Response | undefined>;
  /** Bun's WebSocket handlers and limits. */
  websocket: {
    open(ws: BunWebSocket): void;
    message(ws: BunWebSocket, message: string | Uint8Array): void;
    close(ws: BunWebSocket, code: number, reason: string): void;
    drain(ws: BunWebSocket): void;
    maxPayloadLength: number;
    backpressureLimit: number;
    closeOnBackpressureLimit: boolean;
    idleTimeout: number;
  };
}

/**
 * Makes the handlers for `Bun.serve({ ...bunHandlers(server) })`. Once the core accepts, `fetch`
 * checks the handshake as the Node adapter does (405 for a method other than GET, 400 without
 * `connection: upgrade` or a valid key or with a bad subprotocol list, 426 for a version other
 * than 13) before Bun's `upgrade`, which would upgrade some of those. Bun refuses messages over
 * the server's message buffer size itself (close code 1009).
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { bunHandlers } from "@webwire/webwire/adapters/bun";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const server = new Server({ messageBufferSize: 4096, sessionManager: new MemorySessionManager() });
 * console.assert(bunHandlers(server).websocket.maxPayloadLength === 4096);
 * ```
 */
export function bunHandlers(server: Server): BunHandlers {
  return {
    async fetch(request, bun) {
      const decision = await server.prepareUpgrade(request);
      if (!decision.accept) return decision.response;
      // Bun would upgrade without `connection: upgrade` or with a bad subprotocol list.
      const problem = handshakeProblem(requestHead(request));
      if (problem !== undefined) return problem;
      const ip = bun.requestIP?.(request);
      const remoteAddress = ip ? hostPort(ip.address, ip.port) : "";
      if (bun.upgrade(request, { data: { options: decision.options, remoteAddress } })) {
        return undefined;
      }
      return new Response("WebSocket upgrade failed\n", { status: 400 });
    },
    websocket: {
      open(ws) {
        const transport = new BunSocketTransport(ws);
        const events = server.accept(transport, ws.data.options, {
          remoteAddress: ws.data.remoteAddress,
        });
        ws.data.events = events;
        transport.watch(events);
      },
      message(ws, message) {
        ws.data.events?.message(message);
      },
      close(ws, code, reason) {
        reportBunClose(ws.data.events, code, reason);
      },
      drain(ws) {
        ws.data.events?.drained();
      },
      maxPayloadLength: server.limits.messageBufferSize,
      // The core closes a slow reader at maxSendBuffer; Bun's own limit, above it, only guards
      // against Bun silently dropping messages should the core's check ever be bypassed.
      backpressureLimit: Math.min(2 * server.limits.maxSendBuffer, 0xffffffff),
      closeOnBackpressureLimit: true,
      // The core enforces WebWire's read timeout; Bun's own idle timeout is switched off.
      idleTimeout: 0,
    },
  };
}

interface BunGlobal {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: BunServerLike): Promise<Response | undefined> | Response;
    websocket: BunHandlers["websocket"];
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}

/**
 * Serves `server` with `Bun.serve`: on `options.path` with every other request answered by
 * `options.fallback`, or on every path.
 *
 * @throws {TypeError} when not running under Bun, when `path` does not start with `/`, or when
 * `fallback` comes without `path`.
 * @throws {ServerShutDownError} when `server` was shut down.
 * @throws {Error} when it cannot listen there: Bun's error (`code` `EADDRINUSE`, also for a
 * hostname that does not resolve; `EADDRNOTAVAIL`, ...) with the address in its message
 * (`cannot listen on 127.0.0.1:8080: Failed to start server. Is port 8080 in use?`).
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveBun } from "@webwire/webwire/adapters/bun";
 *
 * async function main(): Promise<void> {
 *   const running = serveBun(new Server(), { path: "/ws", fallback: () => new Response("page") });
 *   console.assert(running.url === `ws://127.0.0.1:${running.port}/ws`);
 *   const page = await fetch(`http://127.0.0.1:${running.port}/`);
 *   console.assert((await page.text()) === "page");
 *   await running.close();
 * }
 * if ("Bun" in globalThis) await main(); // elsewhere serveBun throws a TypeError
 * ```
 */
export function serveBun(server: Server, options: ListenOptions = {}): RunningServer {
  assertServable(server, "serveBun");
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun === undefined) throw new TypeError("serveBun needs the Bun runtime");
  const hostname = options.hostname ?? "127.0.0.1";
  const route = routeFor(options, server.logger);
  const handlers = bunHandlers(server);
  // The fallback's body goes to Bun as it is (a large one or a file keeps its length): one that
  // fails is Bun's to cut short, and it prints the failure itself.
  const http = listenAt(
    () =>
      bun.serve({
        port: options.port ?? 0,
        hostname,
        fetch: (request, server) =>
          route.isEndpoint(request.url) ? handlers.fetch(request, server) : route.fallback(request),
        websocket: handlers.websocket,
      }),
    hostname,
    options.port ?? 0,
  );
  const port = http.port;
  return {
    port,
    url: wsUrl(hostname, port, route),
    close: async () => {
      await server.shutdown();
      await http.stop(true);
    },
  };
}
