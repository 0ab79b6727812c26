// The `beforeUpgrade` option of `honoHandler`: given Hono's context, so what an auth middleware
// `c.set` reaches `connection.info`; its Response refuses, its failure (a throw, a concurrencyLimit
// that is no integer) is logged once and answered 500, and it runs only after the server's hook
// accepted and the handshake passed. Under Deno (`hono/deno`, and `@hono/node-ws` with
// `@hono/node-server`), Bun (`hono/bun`) and Node (`@hono/node-ws`, run by
// scripts/extra_suites.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Context, Hono } from "hono";
import { Client } from "../client/client.ts";
import type { ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { serveHonoApp } from "../testing/serve_hono_app.ts";
import { type HonoBeforeUpgrade, honoHandler } from "./hono.ts";

type Env = { Variables: { user: string } };

/** An app whose auth middleware sets `user` on the context from the `user` query parameter. */
function appWithAuth(): Hono<Env> {
  const app = new Hono<Env>();
  app.use("/ws", async (c, next) => {
    const user = c.req.query("user");
    if (user === undefined) return c.text("unauthorized", 401);
    c.set("user", user);
    await next();
  });
  return app;
}

/** Starts the app with WebWire on `/ws` behind the middleware, `hook` as the route's hook. */
async function start(node: boolean, hook: HonoBeforeUpgrade<Context<Env>>, options: ServerOptions) {
  const { logger, errors } = recordingLogger();
  const server = new Server({
    sessionsEnabled: false,
    logger,
    onRequest: (request) => JSON.stringify(request.connection.info),
    ...options,
  });
  const app = appWithAuth();
  const served = await serveHonoApp(app, server, node, (upgrade) => {
    app.get("/ws", honoHandler(server, upgrade, { beforeUpgrade: hook }));
  });
  const client = (user: string) =>
    new Client(`ws://127.0.0.1:${served.port}/ws?user=${user}`, {
      WebSocket: served.WebSocket,
      autoconnect: false,
    });
  const stop = async () => {
    await server.shutdown();
    await served.stop();
  };
  return { client, errors, stop };
}

for (const node of [false, true]) {
  const skip = node
    ? "Bun" in globalThis && "@hono/node-server replaces Bun's global Response"
    : !("Deno" in globalThis || "Bun" in globalThis) && "hono/deno and hono/bun need their runtime";
  const on = node ? " on node" : "";

  test(`hono${on}: the route's beforeUpgrade reads the context; its info reaches handlers`, {
    skip,
  }, async () => {
    const app = await start(
      node,
      (c, decided) => ({ info: { ...decided.info, user: c.get("user") } }),
      { beforeUpgrade: () => ({ info: { from: "server" } }) },
    );
    try {
      const client = app.client("ada");
      await client.connect();
      assert.equal((await client.request("info")).text(), '{"from":"server","user":"ada"}');
      await client.close();
      assert.equal(app.errors.length, 0);
    } finally {
      await app.stop();
    }
  });

  test(`hono${on}: the route's beforeUpgrade refuses with its Response, or fails with 500`, {
    skip,
  }, async () => {
    const app = await start(node, (c) => {
      const user = c.get("user");
      if (user === "mallory") return new Response("go away", { status: 403 });
      if (user === "half") return { concurrencyLimit: 1.5 };
      throw new Error(`no record of ${user}`);
    }, {});
    try {
      const refused = async (user: string, status: RegExp) => {
        const client = app.client(user);
        await assert.rejects(client.connect(), status);
        await client.close();
      };
      await refused("mallory", /HTTP 403/);
      assert.equal(app.errors.length, 0);
      await refused("bob", /HTTP 500/);
      await refused("half", /HTTP 500/);
      const logged = app.errors.map((e) => `${e.message}: ${(e.details[0] as Error).message}`);
      assert.deepEqual(logged, [
        "honoHandler beforeUpgrade hook failed: no record of bob",
        "honoHandler beforeUpgrade hook failed: concurrencyLimit must be an integer, got 1.5",
      ]);
    } finally {
      await app.stop();
    }
  });
}

// What runs before the route's hook never depends on the runtime: Hono's own `app.request`.
test("hono: the route's beforeUpgrade runs after the server's hook and the handshake check", async () => {
  const asked: string[] = [];
  const server = new Server({
    sessionsEnabled: false,
    beforeUpgrade: (request) =>
      new URL(request.url).searchParams.has("deny") ? new Response(null, { status: 401 }) : {},
  });
  const app = new Hono();
  const notReached = () => Promise.reject(new Error("the helper is not reached"));
  app.get(
    "/ws",
    honoHandler(server, notReached, {
      beforeUpgrade: (c: Context) => {
        asked.push(c.req.query("n") ?? "");
        return new Response(null, { status: 418 });
      },
    }),
  );
  const headers = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
  };
  const status = async (query: string, sent: Record<string, string>) =>
    (await app.request(`/ws?${query}`, { headers: sent })).status;
  try {
    assert.equal(await status("n=1&deny", headers), 401);
    const { "sec-websocket-key": _, ...keyless } = headers;
    assert.equal(await status("n=2", keyless), 400);
    assert.equal(await status("n=3", { ...headers, "sec-websocket-version": "8" }), 426);
    assert.deepEqual(asked, []);
    assert.equal(await status("n=4", headers), 418);
    assert.deepEqual(asked, ["4"]);
  } finally {
    await server.shutdown();
  }
});
