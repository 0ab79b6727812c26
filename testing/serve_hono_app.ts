/**
 * Serves a Hono app of a test's own on the runtime's server, with the runtime's WebSocket helper
 * handed to the test to mount WebWire's route with: `hono/deno` on `Deno.serve`, `hono/bun` on
 * `Bun.serve` (with `honoBunWebSocket`), or, with `node`, `@hono/node-ws` on
 * `@hono/node-server` (Node, and Deno; not Bun, where `@hono/node-server` replaces the global
 * `Response`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { serveHonoApp } from "./serve_hono_app.ts";
 * import { Client } from "../client/client.ts";
 * import { honoHandler } from "../adapters/hono.ts";
 * import { Server } from "../server/server.ts";
 * const server = new Server({ sessionsEnabled: false, onRequest: (request) => request.payload });
 * const app = new Hono();
 * const served = await serveHonoApp(app, server, false, (upgrade) => {
 *   app.get("/ws", honoHandler(server, upgrade));
 * });
 * const client = new Client(`ws://127.0.0.1:${served.port}/ws`);
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close(), await server.shutdown(), await served.stop();
 * ```
 * @module
 */

import type { Context, Env, Hono } from "hono";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { honoBunWebSocket, type HonoUpgradeWebSocket } from "../adapters/hono.ts";
import type { Server } from "../server/server.ts";

interface BunLike {
  serve(options: object): { port: number; stop(closeActive: boolean): Promise<void> };
}

/** A Hono app that {@link serveHonoApp} serves. */
export interface ServedHonoApp {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The WebSocket a client of it uses: `ws`'s with `node` (Node 20 has no global one). */
  readonly WebSocket: typeof WebSocket;
  /** Stops the HTTP server (shut WebWire's server down first). */
  stop(): Promise<void>;
}

/**
 * Serves `app` on 127.0.0.1 and a free port, on the runtime's server or, with `node`,
 * `@hono/node-server`; `mount` is given the runtime's helper (`upgradeWebSocket`) before the app
 * serves, to mount `honoHandler(server, upgrade, ...)` with.
 */
export async function serveHonoApp<E extends Env>(
  app: Hono<E>,
  server: Server,
  node: boolean,
  mount: (upgrade: HonoUpgradeWebSocket<Context<E>>) => void,
): Promise<ServedHonoApp> {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (node) {
    const { serve } = await import("@hono/node-server");
    const { createNodeWebSocket } = await import("@hono/node-ws");
    const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
    mount(upgradeWebSocket);
    const http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    injectWebSocket(http);
    await new Promise((resolve) => http.once("listening", resolve));
    const port = (http.address() as { port: number }).port;
    const stop = () => new Promise<void>((resolve) => http.close(() => resolve()));
    return { port, stop, WebSocket: NodeWebSocket as unknown as typeof WebSocket };
  }
  if (bun !== undefined) {
    const { upgradeWebSocket, websocket } = await import("hono/bun");
    mount(upgradeWebSocket);
    const http = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: app.fetch,
      websocket: honoBunWebSocket(server, websocket),
    });
    return { port: http.port, stop: () => http.stop(true), WebSocket };
  }
  const { upgradeWebSocket } = await import("hono/deno");
  mount(upgradeWebSocket);
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return { port: http.addr.port, stop: () => http.shutdown(), WebSocket };
}
