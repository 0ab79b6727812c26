/**
 * Serves a WebWire server on `/ws` of a Hono app with the runtime's Hono WebSocket helper
 * (`hono/deno`, `hono/bun`, or `@hono/node-ws` with `@hono/node-server` on Node), next to a
 * plain `/health` route: the Hono adapter as a user would mount it. `hono/bun` stays although
 * Hono 4.13 marks it deprecated in favour of `@hono/bun`: that package is not on npm.
 *
 * @example
 * ```ts
 * import { serveHono } from "./serve_hono.ts";
 * import { Server } from "../server/server.ts";
 * import { MemorySessionManager } from "../session/memory_session_manager.ts";
 * const running = await serveHono(new Server({ sessionManager: new MemorySessionManager() }));
 * console.assert(running.url.endsWith("/ws"));
 * await running.close();
 * ```
 * @module
 */

import { Hono } from "hono";
import { honoBunWebSocket, honoHandler, limitNodeWebSocketServer } from "../adapters/hono.ts";
import type { ListenOptions, RunningServer } from "../adapters/deno.ts";
import type { Server } from "../server/server.ts";

interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    websocket: unknown;
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}

/** The app's own (not WebWire) WebSocket route: answers each text message with `echo: <text>`. */
const honoEcho = {
  onMessage(event: { data: unknown }, ws: { send(data: string): void }): void {
    ws.send(`echo: ${typeof event.data === "string" ? event.data : "(binary)"}`);
  },
};

/**
 * Options of {@link serveHono}.
 *
 * @example
 * ```ts
 * import type { ServeHonoOptions } from "./serve_hono.ts";
 * const options: ServeHonoOptions = { bunEvents: "hono" };
 * console.assert(options.bunEvents === "hono");
 * ```
 */
export interface ServeHonoOptions extends ListenOptions {
  /**
   * Under Bun: `"direct"` (the default) serves with `honoBunWebSocket(server, websocket)`, as
   * the Hono adapter advises; `"hono"` with Hono's `websocket` handlers as they are (plus the
   * limits), which deliver every event through Hono's `onMessage`/`onClose`.
   */
  bunEvents?: "direct" | "hono";
}

/**
 * Starts a Hono app with `server` on `/ws`, and a Hono echo WebSocket (not WebWire) on
 * `/echo`: under Bun with `Bun.serve`, under Deno with `Deno.serve`, else (Node) with
 * {@link serveHonoNode}.
 *
 * @example
 * ```ts
 * import { serveHono } from "./serve_hono.ts";
 * import { Client } from "../client.ts";
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const sessionManager = new MemorySessionManager();
 * const server = new Server({ sessionManager, onRequest: (request) => request.payload });
 * const running = await serveHono(server, { port: 0 });
 * const health = await fetch(running.url.replace(/^ws(.*)\/ws$/, "http$1/health"));
 * console.assert(await health.text() === "healthy");
 * const client = new Client(running.url);
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * await running.close();
 * ```
 */
export async function serveHono(
  server: Server,
  options: ServeHonoOptions = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const app = new Hono();
  app.get("/health", (c) => c.text("healthy"));
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  let port: number;
  let stop: () => Promise<void>;
  if (bun !== undefined) {
    const { upgradeWebSocket, websocket, getConnInfo } = await import("hono/bun");
    app.get("/ws", honoHandler(server, upgradeWebSocket, { getConnInfo }));
    app.get("/echo", upgradeWebSocket(() => honoEcho));
    const http = bun.serve({
      port: options.port ?? 0,
      hostname,
      fetch: app.fetch,
      // As the Hono adapter's documentation advises. With Hono's handlers as they are: WebWire's
      // own read timeout instead of Bun's idle timeout, which also sets how long Bun keeps an
      // unanswered close (4 s at 0).
      websocket: options.bunEvents === "hono"
        ? { ...websocket, maxPayloadLength: server.limits.messageBufferSize, idleTimeout: 0 }
        : honoBunWebSocket(server, websocket),
    });
    port = http.port;
    stop = async () => await http.stop(true);
  } else if (!("Deno" in globalThis)) {
    return await serveHonoNode(server, options);
  } else {
    const { upgradeWebSocket, getConnInfo } = await import("hono/deno");
    app.get("/ws", honoHandler(server, upgradeWebSocket, { getConnInfo }));
    app.get("/echo", upgradeWebSocket(() => honoEcho));
    const http = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, app.fetch);
    port = http.addr.port;
    stop = () => http.shutdown();
  }
  return {
    port,
    url: `ws://${hostname}:${port}/ws`,
    close: async () => {
      await server.shutdown();
      await stop();
    },
  };
}

/**
 * Starts a Hono app with `server` on `/ws` on Node: `@hono/node-server` serves it and
 * `@hono/node-ws` upgrades.
 *
 * @example
 * ```ts
 * import { serveHonoNode } from "./serve_hono.ts";
 * import { Client } from "../client.ts";
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const sessionManager = new MemorySessionManager();
 * const server = new Server({ sessionManager, onRequest: (request) => request.payload });
 * const running = await serveHonoNode(server, { port: 0 });
 * console.assert(running.url === `ws://127.0.0.1:${running.port}/ws`);
 * const client = new Client(running.url);
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * await running.close();
 * ```
 */
export async function serveHonoNode(
  server: Server,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const { serve } = await import("@hono/node-server");
  const { getConnInfo } = await import("@hono/node-server/conninfo");
  const { createNodeWebSocket } = await import("@hono/node-ws");
  const app = new Hono();
  app.get("/health", (c) => c.text("healthy"));
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  limitNodeWebSocketServer(server, wss);
  app.get("/ws", honoHandler(server, upgradeWebSocket, { getConnInfo }));
  const { http, port } = await new Promise<{ http: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const http = serve(
        { fetch: app.fetch, port: options.port ?? 0, hostname },
        (info) => resolve({ http, port: info.port }),
      );
    },
  );
  injectWebSocket(http);
  return {
    port,
    url: `ws://${hostname}:${port}/ws`,
    close: async () => {
      await server.shutdown();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
