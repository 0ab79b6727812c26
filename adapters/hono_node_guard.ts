/**
 * Keeping a Hono app on Node alive through upgrade requests whose client resets the connection.
 * Node takes its own error listener off a socket once it emits `upgrade`, and `@hono/node-ws`
 * adds none before it answers: a refused upgrade (a failed handshake, a `beforeUpgrade` that
 * says no) or one to a path that is not a WebSocket route is written to a socket the client may
 * have reset meanwhile, and the write's `ECONNRESET` crashes the process; so does a target that
 * makes no URL, on which `injectWebSocket` throws. It also reads what `@hono/node-ws` leaves out
 * of the request it hands the app (always a GET; empty headers left out) so that the adapter
 * never hands the helper an upgrade that `ws` would refuse (another method, an empty
 * `sec-websocket-protocol`, a client gone): `@hono/node-ws` would keep such a request for good.
 * Part of the Hono adapter.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { guardNodeUpgrades } from "@webwire/webwire/adapters/hono";
 * const http = createServer();
 * guardNodeUpgrades(http);
 * console.assert(http.listenerCount("upgrade") === 1);
 * ```
 * @module
 */

import type { RequestHead } from "./websocket/http_request_head.ts";

/**
 * The part of Node's HTTP server (the one `serve` of `@hono/node-server` returns) that
 * {@link guardNodeUpgrades} uses.
 *
 * @example
 * ```ts
 * import type { NodeUpgradeServerLike } from "@webwire/webwire/adapters/hono";
 * const listeners: unknown[] = [];
 * const http: NodeUpgradeServerLike = { prependListener: (_event, l) => listeners.push(l) };
 * http.prependListener("upgrade", () => {});
 * console.assert(listeners.length === 1);
 * ```
 */
export interface NodeUpgradeServerLike {
  /** Adds a listener of `upgrade` ahead of the others. */
  prependListener(
    event: "upgrade",
    listener: (
      request: unknown,
      socket: {
        on(event: "error", listener: () => void): unknown;
        end(data: string): unknown;
        destroy(): void;
      },
      head: unknown,
    ) => void,
  ): unknown;
}

/**
 * Gives every upgrade request's socket an error listener (a reset destroys the socket) before
 * `@hono/node-ws`'s `injectWebSocket` or any other listener sees it, and answers an upgrade
 * whose target makes no URL (`GET http://[/ws`) with 400 at once: `injectWebSocket` would throw
 * on it, an unhandled rejection that ends the process. Call it once with the server that `serve`
 * of `@hono/node-server` returns, next to `injectWebSocket(http)` (either order). `honoHandler`
 * guards the sockets of the upgrade requests that reach it without it; this covers the app's
 * other paths, those a middleware answers before `honoHandler` runs, and the targets.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { serve } from "@hono/node-server";
 * import { createNodeWebSocket } from "@hono/node-ws";
 * import { Server } from "@webwire/webwire/server";
 * import {
 *   guardNodeUpgrades,
 *   honoHandler,
 *   limitNodeWebSocketServer,
 * } from "@webwire/webwire/adapters/hono";
 *
 * const server = new Server({ sessionsEnabled: false });
 * const app = new Hono();
 * const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
 * limitNodeWebSocketServer(server, wss);
 * app.get("/ws", honoHandler(server, upgradeWebSocket));
 * const http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
 * injectWebSocket(http);
 * guardNodeUpgrades(http);
 * await server.shutdown();
 * await new Promise((resolve) => http.close(resolve));
 * ```
 */
export function guardNodeUpgrades(http: NodeUpgradeServerLike): void {
  http.prependListener("upgrade", (request, socket) => {
    guard(socket);
    refuseTargetWithoutUrl(request, socket);
  });
}

/**
 * `injectWebSocket` of `@hono/node-ws` makes a URL of every upgrade's target in an `async`
 * listener: one that makes none (`GET http://[/ws`) rejects its promise, and the unhandled
 * rejection ends the process. Such a request gets 400 here (as `@hono/node-server` answers it
 * without an upgrade), and the helper sees the target `/` on a socket already ended, so that the
 * app's answer to it is dropped.
 */
function refuseTargetWithoutUrl(request: unknown, socket: Guarded): void {
  const incoming = request as { url?: unknown };
  if (typeof incoming.url !== "string" || URL.canParse(incoming.url, "http://localhost")) return;
  incoming.url = "/";
  socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
}

/**
 * Guards the socket of the request of a Hono context on Node (`c.env.incoming` of
 * `@hono/node-server`) when that request is an upgrade; anything else is left alone.
 *
 * @example
 * ```ts
 * import { guardUpgradeOfContext } from "./hono_node_guard.ts";
 * guardUpgradeOfContext({ req: {} }); // not on Node: nothing to do
 * ```
 */
export function guardUpgradeOfContext(c: unknown): void {
  // Only an upgrade's socket is out of Node's hands (and guarded once, since a socket is
  // upgraded once).
  const socket = upgradeOfContext(c)?.socket as Partial<Guarded> | undefined;
  if (typeof socket?.on === "function") guard(socket as Guarded);
}

/**
 * The handshake head of a Hono context's request, with the method, the headers (and the HTTP
 * version) of Node's own request when that is an upgrade: `@hono/node-ws` hands every upgrade
 * to the app as a GET without its empty headers, and `ws` then refuses one of another method
 * (405) or with an empty `sec-websocket-protocol` (400) without ever handing it back, so that
 * `@hono/node-ws` keeps its request for good (about 9 KB each).
 *
 * @example
 * ```ts
 * import { nodeUpgradeHead } from "./hono_node_guard.ts";
 * import { requestHead } from "./websocket/handshake.ts";
 * const head = requestHead(new Request("http://localhost/ws")); // what Hono's request says
 * const c = { env: { incoming: { upgrade: true, method: "POST" } } };
 * console.assert(nodeUpgradeHead(c, head).method === "POST");
 * const old = { upgrade: true, method: "GET", httpVersionMajor: 1, httpVersionMinor: 0 };
 * console.assert(nodeUpgradeHead({ env: { incoming: old } }, head).minorVersion === 0);
 * const empty = { upgrade: true, method: "GET", headers: { "sec-websocket-protocol": "" } };
 * console.assert(nodeUpgradeHead({ env: { incoming: empty } }, head).headers.size === 1);
 * console.assert(nodeUpgradeHead({}, head) === head); // not on Node
 * ```
 */
export function nodeUpgradeHead(c: unknown, head: RequestHead): RequestHead {
  const incoming = upgradeOfContext(c);
  const method = incoming?.method;
  if (typeof method !== "string") return head;
  // Node's own headers: `@hono/node-ws` leaves empty ones out of the app's request, and `ws`
  // refuses an empty `sec-websocket-protocol` (400), which the check must then see.
  const headers = nodeHeaders(incoming!.headers) ?? head.headers;
  // The request line's version too: the handshake refuses an upgrade over HTTP/1.0 (400).
  const { httpVersionMajor: majorVersion, httpVersionMinor: minorVersion } = incoming!;
  if (typeof majorVersion !== "number" || typeof minorVersion !== "number") {
    return { ...head, method, headers };
  }
  return { ...head, method, headers, majorVersion, minorVersion };
}

/** Node's `request.headers` as a map (a list's values joined, as `Headers` joins them). */
function nodeHeaders(headers: unknown): Map<string, string> | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") map.set(name, value);
    else if (Array.isArray(value)) map.set(name, value.join(", "));
  }
  return map;
}

/**
 * Whether the client of a Hono context's upgrade request on Node is gone (its socket reset or
 * ended): `ws` would drop such a socket without a connection, and `@hono/node-ws` keep its
 * request for good, so the adapter does not hand it to the helper.
 *
 * @example
 * ```ts
 * import { nodeUpgradeGone } from "./hono_node_guard.ts";
 * const socket = { destroyed: true, readable: false, writable: false };
 * console.assert(nodeUpgradeGone({ env: { incoming: { upgrade: true, socket } } }));
 * console.assert(!nodeUpgradeGone({ req: {} })); // not on Node
 * ```
 */
export function nodeUpgradeGone(c: unknown): boolean {
  const socket = upgradeOfContext(c)?.socket as
    | { destroyed?: unknown; readable?: unknown; writable?: unknown }
    | undefined;
  if (typeof socket !== "object" || socket === null) return false;
  // What `ws` checks before it upgrades.
  return socket.destroyed === true || socket.readable === false || socket.writable === false;
}

/** The part of Node's request (`c.env.incoming` of `@hono/node-server`) read here. */
interface NodeIncoming {
  readonly upgrade?: unknown;
  readonly method?: unknown;
  readonly socket?: unknown;
  readonly httpVersionMajor?: unknown;
  readonly httpVersionMinor?: unknown;
  readonly headers?: unknown;
}

/** Node's request of a Hono context when it is an upgrade request; else `undefined`. */
function upgradeOfContext(c: unknown): NodeIncoming | undefined {
  const incoming = (c as { env?: { incoming?: NodeIncoming } } | undefined)?.env?.incoming;
  return incoming?.upgrade === true ? incoming : undefined;
}

/** The part of a Node socket that the guard uses. */
type Guarded = Parameters<Parameters<NodeUpgradeServerLike["prependListener"]>[1]>[1];

function guard(socket: Guarded): void {
  socket.on("error", () => socket.destroy());
}
