/**
 * A Hono app on Node (`@hono/node-server`, `@hono/node-ws`) serving WebWire on `/ws` as
 * docs/server.md shows, with what the Node Hono tests look at: the violations, the disconnects
 * and the TCP connections the HTTP server holds. Node and Deno only (under Bun,
 * `@hono/node-server` replaces the global `Response`).
 *
 * @example
 * ```ts ignore
 * import { serveNodeApp } from "./hono_node_app.ts";
 * const app = await serveNodeApp({ sessionsEnabled: false }, true);
 * console.log(app.url); // ws://127.0.0.1:<port>/ws
 * await app.close();
 * ```
 * @module
 */

import { Hono } from "hono";
import { guardNodeUpgrades, honoHandler, limitNodeWebSocketServer } from "../adapters/hono.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ProtocolViolation, ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";

/** A Hono app on Node serving WebWire on `/ws`, as {@link serveNodeApp} starts it. */
export interface NodeApp {
  server: Server;
  port: number;
  url: string;
  violations: ProtocolViolation[];
  disconnects: DisconnectReason[];
  /** The TCP connections the HTTP server holds, upgraded ones included. */
  openSockets(): Promise<number>;
  close(): Promise<void>;
}

/**
 * WebWire on `/ws` of a Hono app on Node, mounted as docs/server.md shows (`guarded`: with
 * `guardNodeUpgrades`), on a server with a memory session manager, a silent logger and an
 * echoing `onRequest`, unless `options` say otherwise.
 */
export async function serveNodeApp(options: ServerOptions, guarded = false): Promise<NodeApp> {
  const { serve } = await import("@hono/node-server");
  const { createNodeWebSocket } = await import("@hono/node-ws");
  const violations: ProtocolViolation[] = [];
  const disconnects: DisconnectReason[] = [];
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    onRequest: (request) => request.payload,
    ...options,
  });
  const hono = new Hono();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app: hono });
  limitNodeWebSocketServer(server, wss);
  hono.get("/ws", honoHandler(server, upgradeWebSocket));
  const { http, port } = await new Promise<{ http: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const http = serve(
        { fetch: hono.fetch, port: 0, hostname: "127.0.0.1" },
        (info) => resolve({ http, port: info.port }),
      );
    },
  );
  injectWebSocket(http);
  if (guarded) guardNodeUpgrades(http);
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    violations,
    disconnects,
    openSockets: () =>
      new Promise((resolve, reject) =>
        http.getConnections((error, count) => error ? reject(error) : resolve(count))
      ),
    close: async () => {
      await server.shutdown();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
