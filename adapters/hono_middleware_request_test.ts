// The Hono adapter behind a middleware: `beforeUpgrade` gets the very `Request` of the route's
// context (`c.req.raw`), so what the middleware learned reaches the connection through a WeakMap
// keyed by it (docs/server.md), and the middleware runs once per upgrade. Under Deno
// (`hono/deno`, and `@hono/node-ws` with `@hono/node-server`), Bun (`hono/bun`) and Node
// (`@hono/node-ws`, run by scripts/extra_suites.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client/client.ts";
import type { WebSocketConstructor } from "../client/websocket_like.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { honoBunWebSocket, honoHandler } from "./hono.ts";

interface BunLike {
  serve(options: object): { port: number; stop(closeActive: boolean): Promise<void> };
}

/** An app with an auth middleware before WebWire's route, as a user would write it. */
function appWith(): { app: Hono; runs: () => number } {
  let runs = 0;
  const app = new Hono();
  app.use("/ws", async (c, next) => {
    runs++;
    const user = c.req.header("x-user");
    if (user === undefined) return c.text("unauthorized", 401);
    users.set(c.req.raw, user);
    await next();
  });
  return { app, runs: () => runs };
}

const users = new WeakMap<Request, string>();

function makeServer(): Server {
  return new Server({
    sessionsEnabled: false,
    logger: silentLogger,
    beforeUpgrade: (request) => ({ info: { user: users.get(request) ?? "(none)" } }),
    onRequest: (request) => String((request.connection.info as { user: string }).user),
  });
}

/** Starts the app on the runtime's own server; `node` serves it with @hono/node-server. */
async function start(server: Server, node: boolean) {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (node) {
    const { serve } = await import("@hono/node-server");
    const { createNodeWebSocket } = await import("@hono/node-ws");
    const { app, runs } = appWith();
    const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
    app.get("/ws", honoHandler(server, upgradeWebSocket));
    const http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    injectWebSocket(http);
    await new Promise((resolve) => http.once("listening", resolve));
    const port = (http.address() as { port: number }).port;
    const stop = () => new Promise<void>((resolve) => http.close(() => resolve()));
    return { port, runs, stop, WebSocket: NodeWebSocket as unknown as typeof WebSocket };
  }
  if (bun !== undefined) {
    const { upgradeWebSocket, websocket } = await import("hono/bun");
    const { app, runs } = appWith();
    app.get("/ws", honoHandler(server, upgradeWebSocket));
    const http = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: app.fetch,
      websocket: honoBunWebSocket(server, websocket),
    });
    return { port: http.port, runs, stop: () => http.stop(true), WebSocket };
  }
  const { upgradeWebSocket } = await import("hono/deno");
  const { app, runs } = appWith();
  app.get("/ws", honoHandler(server, upgradeWebSocket));
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return { port: http.addr.port, runs, stop: () => http.shutdown(), WebSocket };
}

/** The runtime's WebSocket, sending `headers` with its upgrade. */
function withHeaders(
  Base: typeof WebSocket,
  headers: Record<string, string>,
): WebSocketConstructor {
  const Ctor = Base as unknown as new (url: string, options: object) => WebSocket;
  return class extends Ctor {
    constructor(url: string) {
      super(url, { headers });
    }
  } as unknown as WebSocketConstructor;
}

for (const node of [false, true]) {
  const skip = node
    ? "Bun" in globalThis && "@hono/node-server replaces Bun's global Response"
    : !("Deno" in globalThis || "Bun" in globalThis) && "hono/deno and hono/bun need their runtime";
  test(
    `hono${
      node ? " on node" : ""
    }: beforeUpgrade gets the context's request, the middleware runs once`,
    {
      skip,
    },
    async () => {
      const server = makeServer();
      const app = await start(server, node);
      try {
        const url = `ws://127.0.0.1:${app.port}/ws`;
        const client = new Client(url, {
          WebSocket: withHeaders(app.WebSocket, { "x-user": "ada" }),
        });
        assert.equal((await client.request("whoami")).text(), "ada");
        await client.close();
        assert.equal(app.runs(), 1);
        const refused = new Client(url, {
          WebSocket: withHeaders(app.WebSocket, {}),
          autoconnect: false,
        });
        await assert.rejects(refused.connect(), /HTTP 401/);
        await refused.close();
        assert.equal(app.runs(), 2);
      } finally {
        await server.shutdown();
        await app.stop();
      }
    },
  );
}
