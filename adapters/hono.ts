/**
 * The Hono adapter: a route handler that serves WebWire on a path of a Hono app, with Hono's
 * WebSocket helper doing the upgrade. The helper is passed in (`upgradeWebSocket` from `hono/deno`
 * or `hono/bun`), so this module imports neither Hono nor a runtime: Hono's types are matched
 * structurally. It is given `{ idleTimeout: 0, onError }` as its options, which `hono/deno` hands
 * to `Deno.upgradeWebSocket`: as with the Deno adapter, WebWire's read timeout replaces Deno's idle
 * timeout, whose timer Deno would otherwise restart for every message (over 1 µs of server CPU per
 * reply). Once upgraded, the runtime's own socket serves the connection. Under Deno, it also
 * delivers the connection's messages and close to the core, as with the Deno adapter: when the
 * socket opens, the adapter takes over its `onmessage` and `onclose`, so the helper's `onMessage`
 * and `onClose` are no longer called for it. Under Bun, serve with
 * {@link honoBunWebSocket}`(server, websocket)` instead of Hono's `websocket` as it is, and Bun
 * delivers WebWire's events straight to the core (Hono's handler costs about 2 µs of server CPU
 * per message: a `MessageEvent`, a `WSContext` and a URL parsed again for each). On Node
 * (`@hono/node-ws`), give `ws` the size limit with {@link limitNodeWebSocketServer} and guard
 * the HTTP server's upgrade sockets with {@link guardNodeUpgrades}.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno"; // or "hono/bun", or @hono/node-ws
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler } from "@webwire/webwire/adapters/hono";
 *
 * const server = new Server({ onRequest: (request) => `hello ${request.payload.text()}` });
 * const app = new Hono();
 * app.get("/", (c) => c.text("the page"));
 * app.get("/ws", honoHandler(server, upgradeWebSocket));
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/ws`);
 * console.assert((await client.request("greet", "Ada")).text() === "hello Ada");
 * await client.close();
 * await server.shutdown();
 * await http.shutdown();
 * ```
 * @module
 */

import { reportBunClose } from "./bun_close.ts";
import { type BunSocketLike, BunSocketTransport } from "./bun_socket.ts";
import { deliverDenoSocket, DenoSocketTransport } from "./deno_socket.ts";
import { assertServable } from "../server/errors.ts";
import type { Server } from "../server/server.ts";
import type { TransportEvents, TransportSocket } from "../server/transport.ts";
import { HonoContextTransport } from "./hono_context_transport.ts";
import { hostPort } from "./host_port.ts";
import { routeToCore } from "./hono_bun_websocket.ts";
import { isWsSocket, reportHelperError, WsSocketTransport } from "./hono_node.ts";
import { decideHonoUpgrade, type HonoBeforeUpgrade } from "./hono_route_hook.ts";

export {
  type HonoBunWebSocket,
  honoBunWebSocket,
  type HonoBunWebSocketHandlers,
} from "./hono_bun_websocket.ts";
export { limitNodeWebSocketServer, type NodeWebSocketServerLike } from "./hono_node.ts";
export { guardNodeUpgrades, type NodeUpgradeServerLike } from "./hono_node_guard.ts";
export type { HonoBeforeUpgrade } from "./hono_route_hook.ts";

/**
 * The part of Hono's `Context` the adapter uses.
 *
 * @example
 * ```ts
 * import type { HonoContextLike } from "@webwire/webwire/adapters/hono";
 * const c: HonoContextLike = { req: { raw: new Request("http://localhost/ws") } };
 * console.assert(c.req.raw.method === "GET");
 * ```
 */
export interface HonoContextLike {
  /** Hono's request wrapper; `raw` is the standard `Request`. */
  readonly req: { readonly raw: Request };
}

/**
 * The part of Hono's `WSContext` the adapter uses. Its `raw` is the runtime's socket: a
 * `WebSocket` under Deno, a `ServerWebSocket` under Bun.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import {
 *   honoHandler,
 *   type HonoUpgradeWebSocket,
 *   type HonoWSContextLike,
 * } from "@webwire/webwire/adapters/hono";
 *
 * // A helper of one's own, on `Deno.upgradeWebSocket`, for a router that has none.
 * const upgrade: HonoUpgradeWebSocket<{ req: { raw: Request } }> = (c, events) => {
 *   const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
 *   const ws: HonoWSContextLike = {
 *     raw: socket,
 *     get readyState() { return socket.readyState; },
 *     send: (data) => socket.send(data),
 *     close: (code, reason) => socket.close(code, reason),
 *   };
 *   socket.onopen = (event) => events.onOpen(event, ws);
 *   socket.onmessage = (event) => events.onMessage(event, ws);
 *   socket.onclose = (event) => events.onClose(event, ws);
 *   socket.onerror = (event) => events.onError(event, ws);
 *   return Promise.resolve(response);
 * };
 * const server = new Server({ onRequest: (request) => request.payload });
 * const handle = honoHandler(server, upgrade);
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (raw) =>
 *   handle({ req: { raw } }));
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/`);
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close(), await server.shutdown(), await http.shutdown();
 * ```
 */
export interface HonoWSContextLike {
  /** The runtime's socket. */
  readonly raw?: unknown;
  /** `1` when open (Hono's Bun helper reports the state when the event fired). */
  readonly readyState: number;
  /** Sends one binary message. */
  send(data: Uint8Array<ArrayBuffer>): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
}

/**
 * The WebSocket events the adapter gives Hono's `upgradeWebSocket`, shaped like Hono's
 * `WSEvents`.
 *
 * @example
 * ```ts
 * import { type Context, Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler, type HonoWSEvents } from "@webwire/webwire/adapters/hono";
 *
 * let opened = 0;
 * const server = new Server();
 * // Wraps Hono's helper to count the sockets that open, then hands each event on.
 * const counted = honoHandler(server, (c: Context, events: HonoWSEvents) =>
 *   upgradeWebSocket(c, { ...events, onOpen: (e, ws) => (opened++, events.onOpen(e, ws)) }));
 * const app = new Hono().get("/ws", counted);
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/ws`);
 * await client.connect();
 * console.assert(opened === 1);
 * await client.close(), await server.shutdown(), await http.shutdown();
 * ```
 */
export interface HonoWSEvents {
  /** The socket opened. */
  onOpen(event: Event, ws: HonoWSContextLike): void;
  /** A message arrived; `data` is a string, `ArrayBuffer`, view or `Blob`. */
  onMessage(event: { readonly data: unknown }, ws: HonoWSContextLike): void;
  /** The socket closed. */
  onClose(event: { readonly code?: number; readonly reason?: string }, ws: HonoWSContextLike): void;
  /** A socket error; a close event always follows. */
  onError(event: Event, ws: HonoWSContextLike): void;
}

/**
 * Hono's `upgradeWebSocket(c, events)` as exported by `hono/deno` and `hono/bun`, or made by
 * `createNodeWebSocket` of `@hono/node-ws`.
 *
 * @example
 * ```ts
 * import { type Context, Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler, type HonoUpgradeWebSocket } from "@webwire/webwire/adapters/hono";
 *
 * const state = { maintenance: true };
 * // Hono's helper, wrapped to turn WebSocket clients away during maintenance.
 * const upgrade: HonoUpgradeWebSocket<Context> = (c, events) =>
 *   state.maintenance ? Promise.resolve(c.text("back soon", 503)) : upgradeWebSocket(c, events);
 * const app = new Hono().get("/ws", honoHandler(new Server(), upgrade));
 * const response = await app.request("/ws", {
 *   headers: {
 *     upgrade: "websocket",
 *     connection: "Upgrade",
 *     "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "sec-websocket-version": "13",
 *   },
 * });
 * console.assert(response.status === 503 && (await response.text()) === "back soon");
 * ```
 */
export type HonoUpgradeWebSocket<C extends HonoContextLike> = (
  c: C,
  events: HonoWSEvents,
) => Promise<Response>;

/**
 * Options of {@link honoHandler}.
 *
 * @example
 * ```ts
 * import { type Context, Hono } from "hono";
 * import { getConnInfo, upgradeWebSocket } from "hono/deno";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler, type HonoHandlerOptions } from "@webwire/webwire/adapters/hono";
 *
 * const server = new Server({ onRequest: (request) => request.connection.remoteAddress });
 * const options: HonoHandlerOptions<Context> = { getConnInfo }; // for connection.remoteAddress
 * const app = new Hono().get("/ws", honoHandler(server, upgradeWebSocket, options));
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/ws`);
 * const address = (await client.request("whoami")).text();
 * console.assert(address.startsWith("127.0.0.1:"), address);
 * await client.close(), await server.shutdown(), await http.shutdown();
 * ```
 */
export interface HonoHandlerOptions<C extends HonoContextLike> {
  /**
   * Hono's `getConnInfo` of the runtime (`hono/deno`, `hono/bun`,
   * `@hono/node-server/conninfo`), to give connections their
   * remote address. Without it `connection.remoteAddress` is `""`.
   */
  getConnInfo?: (c: C) => { remote: { address?: string; port?: number } };
  /** The route's upgrade hook, given Hono's context: see {@link HonoBeforeUpgrade}. */
  beforeUpgrade?: HonoBeforeUpgrade<C>;
}

/**
 * The runtime's own socket behind Hono's: Deno's `WebSocket`, Bun's `ServerWebSocket` and `ws`'s
 * `WebSocket` (`@hono/node-ws`) close and drop connections as the core needs (see
 * deno_socket.ts, bun_socket.ts and hono_node.ts); any other is served through Hono's
 * `WSContext`, which cannot drop a connection.
 */
function transportFor(ws: HonoWSContextLike): TransportSocket {
  const raw = ws.raw;
  // Node 20 has no global WebSocket (Hono on Node hands out a `ws` socket).
  if (typeof WebSocket === "function" && raw instanceof WebSocket) {
    // Deno's default binary type is "blob".
    raw.binaryType = "arraybuffer";
    return new DenoSocketTransport(raw);
  }
  if (isBunSocket(raw)) {
    forgetHonoUrl(raw);
    return new BunSocketTransport(raw);
  }
  if (isWsSocket(raw)) return new WsSocketTransport(raw);
  return new HonoContextTransport(ws);
}

/**
 * `hono/bun` builds a new `WSContext` for every event from the socket's `data`, and that
 * constructor parses `data.url` again (`new URL`) each time: over half a microsecond per
 * message. The adapter never reads `ws.url`, so it drops the URL from its own socket's data.
 */
function forgetHonoUrl(raw: object): void {
  const data = (raw as { data?: unknown }).data;
  if (typeof data === "object" && data !== null && "url" in data) {
    (data as { url: unknown }).url = undefined;
  }
}

function isBunSocket(raw: unknown): raw is BunSocketLike {
  const socket = raw as Partial<BunSocketLike> | undefined;
  return typeof socket?.sendBinary === "function" && typeof socket.terminate === "function";
}

/**
 * The options the adapter gives the helper as its third argument. `hono/deno` hands them to
 * `Deno.upgradeWebSocket`: the core enforces WebWire's read timeout, so Deno's idle timeout (a
 * ping after 60 s of silence, a close 60 s later) is switched off, as the Deno adapter does. It
 * would also restart a timer for every message: about 1 µs of server CPU per reply on Deno, and
 * garbage. `hono/bun` takes no options; on Bun, `Bun.serve`'s `idleTimeout` is the one that
 * counts. `@hono/node-ws` takes its `onError` (see `reportHelperError` in hono_node.ts); Deno
 * ignores it.
 */
const upgradeOptions = { idleTimeout: 0, onError: reportHelperError } as const;

/**
 * The helper as the adapter calls it. Not part of {@link HonoUpgradeWebSocket}, whose users'
 * helpers take options of their own (`@hono/node-ws` requires an `onError` in its type), but a
 * JavaScript function takes any third argument.
 */
type UpgradeWithOptions<C extends HonoContextLike> = (
  c: C,
  events: HonoWSEvents,
  options: typeof upgradeOptions,
) => Promise<Response>;

/**
 * Makes a Hono route handler that serves WebWire: the core decides first
 * (`Server.prepareUpgrade`, whose refusal is returned as is), then the handshake is checked as
 * by the Node adapter (405 for a method other than GET, 400 without `connection: upgrade` or a
 * valid `sec-websocket-key`, 426 for a version other than 13: Hono's helpers would fail with a
 * 500, or on Node keep the request forever), then the route's `beforeUpgrade` of `options`
 * (given `c`: see {@link HonoBeforeUpgrade}), then Hono upgrades, the helper called as
 * `upgradeWebSocket(c, events, { idleTimeout: 0, onError })`: under Deno, `hono/deno` passes
 * the options on to `Deno.upgradeWebSocket`, which then keeps no idle timer, and once the socket
 * opens the adapter takes over its `onmessage` and `onclose` (the helper's `onMessage` and
 * `onClose` are no longer called for it). Under Bun, serve with
 * `websocket: honoBunWebSocket(server, websocket)` (Hono's `websocket`): messages, closes and
 * drains of WebWire's sockets then skip Hono's per-event wrappers, and it sets
 * `idleTimeout: 0` and `maxPayloadLength` as the Bun adapter does. With Hono's `websocket`
 * handlers as they are, add `idleTimeout: 0` (WebWire has its own read timeout; Bun's idle
 * timeout also sets how long Bun keeps a close the peer does not answer: about 4 s at 0, up to
 * 16 s otherwise) and, to let Bun itself refuse oversized messages,
 * `maxPayloadLength: server.limits.messageBufferSize` (the core refuses them anyway). On Node,
 * call {@link limitNodeWebSocketServer}`(server, wss)` with the `wss` of `createNodeWebSocket`.
 *
 * @throws {ServerShutDownError} when `server` was shut down.
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler } from "@webwire/webwire/adapters/hono";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * // app.get("/ws", honoHandler(server, upgradeWebSocket)), with upgradeWebSocket from hono/deno.
 * const server = new Server({
 *   sessionManager: new MemorySessionManager(),
 *   beforeUpgrade: () => new Response("no", { status: 401 }),
 * });
 * const handle = honoHandler(server, () => Promise.reject(new Error("not reached")));
 * const raw = new Request("http://localhost/ws", { headers: { upgrade: "websocket" } });
 * console.assert((await handle({ req: { raw } })).status === 401);
 * // A handshake WebSocket refuses never reaches the helper.
 * const open = honoHandler(new Server({ sessionsEnabled: false }), () => {
 *   throw new Error("not reached");
 * });
 * const headers = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" };
 * const keyless = new Request("http://localhost/ws", { headers });
 * console.assert((await open({ req: { raw: keyless } })).status === 400);
 * ```
 */
export function honoHandler<C extends HonoContextLike>(
  server: Server,
  upgradeWebSocket: HonoUpgradeWebSocket<C>,
  options: HonoHandlerOptions<C> = {},
): (c: C) => Promise<Response> {
  assertServable(server, "honoHandler");
  return async (c) => {
    const decision = await decideHonoUpgrade(server, c, options.beforeUpgrade);
    if (!decision.accept) return decision.response;
    const remote = options.getConnInfo?.(c).remote;
    const remoteAddress = remote?.address === undefined
      ? ""
      : hostPort(remote.address, remote.port);
    let events: TransportEvents | undefined;
    /** Whether Deno's socket delivers its events to the core itself: Hono's are ignored. */
    let direct = false;
    // Messages that arrive as a Blob are read asynchronously; later ones wait for them so
    // that the core sees the client's order.
    let blobs: Promise<void> | undefined;
    const deliver = (data: Uint8Array | string) => events?.message(data);
    const withOptions: UpgradeWithOptions<C> = upgradeWebSocket;
    return await withOptions(c, {
      onOpen(_event, ws) {
        const transport = transportFor(ws);
        events = server.accept(transport, decision.options, { remoteAddress });
        if (transport instanceof DenoSocketTransport) {
          deliverDenoSocket(ws.raw as WebSocket, transport, events);
          direct = true;
        }
        // Under Bun, honoBunWebSocket's handlers (if served with them) take it from here.
        if (transport instanceof BunSocketTransport) {
          routeToCore(ws.raw as object, events);
          transport.watch(events);
        }
        if (transport instanceof WsSocketTransport) transport.watch(events);
      },
      onMessage(event, ws) {
        if (direct) return;
        const data = event.data;
        if (data instanceof Blob) {
          const read = data.arrayBuffer();
          blobs = (blobs ?? Promise.resolve())
            .then(async () => deliver(new Uint8Array(await read)))
            .catch(() => ws.close(1011, "could not read a message"));
          return;
        }
        const message = typeof data === "string"
          ? data
          : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data as ArrayBuffer);
        if (blobs === undefined) deliver(message);
        else blobs = blobs.then(() => deliver(message));
      },
      onClose(event) {
        if (direct) return;
        // Under Bun, a close Bun made over a bad frame is the client's violation.
        const close = () => reportBunClose(events, event.code, event.reason);
        if (blobs === undefined) close();
        else blobs = blobs.then(close);
      },
      onError() {},
    }, upgradeOptions).catch((error) => {
      // A client gone while the core decided (its FIN under Bun) cannot be upgraded: Hono's
      // helper throws, and it is dropped quietly, as the Bun adapter drops it.
      if (!c.req.raw.signal.aborted) throw error;
      return new Response("WebSocket upgrade failed\n", { status: 400 });
    });
  };
}
