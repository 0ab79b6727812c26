/**
 * What a Hono route serving WebWire decides before Hono's helper upgrades: the core's decision
 * (the server's `beforeUpgrade`), the handshake check, and then the route's own `beforeUpgrade`
 * ({@link HonoBeforeUpgrade}), which is given Hono's context, so that what a middleware set on it
 * (`c.set("user", ...)`) reaches the connection. Part of the Hono adapter.
 *
 * @example
 * ```ts
 * import { decideHonoUpgrade } from "./hono_route_hook.ts";
 * import { Server } from "../server/server.ts";
 * const server = new Server({ sessionsEnabled: false });
 * const headers = {
 *   upgrade: "websocket",
 *   connection: "Upgrade",
 *   "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *   "sec-websocket-version": "13",
 * };
 * const c = { req: { raw: new Request("http://localhost/ws", { headers }) }, user: "ada" };
 * const decision = await decideHonoUpgrade(server, c, (c) => ({ info: { user: c.user } }));
 * console.assert(decision.accept && decision.options.info?.user === "ada");
 * await server.shutdown();
 * ```
 * @module
 */

import type { Server } from "../server/server.ts";
import type { ConnectionOptions, UpgradeDecision } from "../server/transport.ts";
import { askUpgradeHook } from "../server/upgrade_decision.ts";
import type { HonoContextLike } from "./hono.ts";
import { guardUpgradeOfContext, nodeUpgradeGone, nodeUpgradeHead } from "./hono_node_guard.ts";
import { handshakeProblem, requestHead } from "./websocket/handshake.ts";

/**
 * The `beforeUpgrade` of a Hono route (an option of `honoHandler`): like the server's
 * `beforeUpgrade`, but given Hono's context `c` (typed as the app's, so `c.get("user")` has the
 * type the app's `Variables` give it) and the options the server's hook decided (`decided`;
 * empty without one). It runs once the server's hook accepted the upgrade and the handshake
 * passed its checks (a malformed handshake never reaches it). Return a `Response` to refuse the
 * upgrade with it, or connection options, which replace the server hook's field by field (a
 * `info` given replaces the server's `info` whole: spread `decided.info` into it to keep both),
 * or nothing to keep the server's. Its options are checked as the server's are (a
 * `concurrencyLimit` that is no integer is its failure); if it throws or rejects, the error is
 * logged on the server's logger as `honoHandler beforeUpgrade hook failed` and the request gets
 * 500. A shutdown begun meanwhile gets 503.
 *
 * @example
 * ```ts
 * import { type Context, Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { type HonoBeforeUpgrade, honoHandler } from "@webwire/webwire/adapters/hono";
 *
 * type Env = { Variables: { user: string } };
 * const app = new Hono<Env>();
 * app.use("/ws", async (c, next) => {
 *   const user = c.req.query("token") === "s3cret" ? "ada" : undefined; // your own check
 *   if (user === undefined) return c.text("unauthorized", 401);
 *   c.set("user", user);
 *   await next();
 * });
 * const server = new Server({
 *   sessionsEnabled: false,
 *   onRequest: (request) => `hello ${request.connection.info.user}`,
 * });
 * const withUser: HonoBeforeUpgrade<Context<Env>> = (c) => ({ info: { user: c.get("user") } });
 * app.get("/ws", honoHandler(server, upgradeWebSocket, { beforeUpgrade: withUser }));
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/ws?token=s3cret`);
 * console.assert((await client.request("greet")).text() === "hello ada");
 * await client.close(), await server.shutdown(), await http.shutdown();
 * ```
 */
export type HonoBeforeUpgrade<C> = (
  c: C,
  decided: ConnectionOptions,
) => ConnectionOptions | Response | void | Promise<ConnectionOptions | Response | void>;

/**
 * Decides a Hono route's upgrade, in this order: the core (`Server.prepareUpgrade`, whose
 * refusal is returned as is), the handshake check, a client gone on Node, the route's `hook`,
 * a client gone on Node again (it may have left while the hook ran). Refusals come back as
 * `{ accept: false, response }`, the go-ahead with the server hook's options and the route
 * hook's over them.
 *
 * @example
 * ```ts
 * import { decideHonoUpgrade } from "./hono_route_hook.ts";
 * import { Server } from "../server/server.ts";
 * const server = new Server({ sessionsEnabled: false, beforeUpgrade: () => ({ info: { a: 1 } }) });
 * const headers = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" };
 * const c = { req: { raw: new Request("http://localhost/ws", { headers }) } };
 * // No sec-websocket-key: refused before the route's hook runs.
 * const decision = await decideHonoUpgrade(server, c, () => new Response(null, { status: 403 }));
 * console.assert(!decision.accept && decision.response.status === 400);
 * await server.shutdown();
 * ```
 */
export async function decideHonoUpgrade<C extends HonoContextLike>(
  server: Server,
  c: C,
  hook: HonoBeforeUpgrade<C> | undefined,
): Promise<UpgradeDecision> {
  guardUpgradeOfContext(c); // on Node, a reset while deciding must not crash the process
  const decision = await server.prepareUpgrade(c.req.raw);
  if (!decision.accept) return decision;
  const problem = handshakeProblem(nodeUpgradeHead(c, requestHead(c.req.raw)));
  if (problem !== undefined) return { accept: false, response: problem };
  // On Node, a client gone while the core decided: `ws` would drop it unanswered.
  if (nodeUpgradeGone(c)) return { accept: false, response: gone() };
  if (hook === undefined) return decision;
  const decided = decision.options;
  const name = "honoHandler beforeUpgrade";
  const route = await askUpgradeHook(name, () => hook(c, decided), server, server.logger);
  if (!route.accept) return route;
  if (nodeUpgradeGone(c)) return { accept: false, response: gone() };
  return { accept: true, options: overlaid(decided, route.options) };
}

/** `base` with the fields `over` gives (not `undefined`) replacing its own. */
function overlaid(base: ConnectionOptions, over: ConnectionOptions): ConnectionOptions {
  const given = Object.entries(over).filter(([, value]) => value !== undefined);
  return given.length === 0 ? base : { ...base, ...Object.fromEntries(given) };
}

function gone(): Response {
  return new Response("WebSocket upgrade failed\n", { status: 400 });
}
