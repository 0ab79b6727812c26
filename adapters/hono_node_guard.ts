/**
 * Keeping a Hono app on Node alive through upgrade requests whose client resets the connection.
 * Node takes its own error listener off a socket once it emits `upgrade`, and `@hono/node-ws`
 * adds none before it answers: a refused upgrade (a failed handshake, a `beforeUpgrade` that
 * says no) or one to a path that is not a WebSocket route is written to a socket the client may
 * have reset meanwhile, and the write's `ECONNRESET` crashes the process. Part of the Hono
 * adapter.
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
      socket: { on(event: "error", listener: () => void): unknown; destroy(): void },
      head: unknown,
    ) => void,
  ): unknown;
}

/**
 * Gives every upgrade request's socket an error listener (a reset destroys the socket) before
 * `@hono/node-ws`'s `injectWebSocket` or any other listener sees it. Call it once with the
 * server that `serve` of `@hono/node-server` returns, next to `injectWebSocket(http)` (either
 * order). `honoHandler` guards the upgrade requests of its own route without it; this covers the
 * app's other paths.
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
  http.prependListener("upgrade", (_request, socket) => guard(socket));
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
  const incoming = (c as { env?: { incoming?: { upgrade?: unknown; socket?: unknown } } })
    .env?.incoming;
  // Node's request says whether it is an upgrade: only then is its socket out of Node's hands
  // (and guarded once, since a socket is upgraded once).
  if (incoming?.upgrade !== true) return;
  const socket = incoming.socket as Partial<Guarded> | undefined;
  if (typeof socket?.on === "function") guard(socket as Guarded);
}

/** The part of a Node socket that the guard uses. */
type Guarded = Parameters<Parameters<NodeUpgradeServerLike["prependListener"]>[1]>[1];

function guard(socket: Guarded): void {
  socket.on("error", () => socket.destroy());
}
