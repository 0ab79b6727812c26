// The Hono adapter behind a middleware: `beforeUpgrade` gets the very `Request` of the route's
// context (`c.req.raw`), so what the middleware learned reaches the connection through a WeakMap
// keyed by it (docs/server.md), and the middleware runs once per upgrade. Under Deno
// (`hono/deno`, and `@hono/node-ws` with `@hono/node-server`), Bun (`hono/bun`) and Node
// (`@hono/node-ws`, run by scripts/extra_suites.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { Client } from "../client/client.ts";
import type { WebSocketConstructor } from "../client/websocket_like.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { serveHonoApp } from "../testing/serve_hono_app.ts";
import { honoHandler } from "./hono.ts";

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
  const { app, runs } = appWith();
  const served = await serveHonoApp(app, server, node, (upgrade) => {
    app.get("/ws", honoHandler(server, upgrade));
  });
  return { ...served, runs };
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
