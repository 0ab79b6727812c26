/**
 * Our server behind Hono for the end-to-end benchmark: the conformance service (whose `echo`
 * request answers with the request's payload) on `/ws` of a Hono app through the Hono adapter,
 * upgraded by `hono/bun` under Bun and `hono/deno` under Deno, mounted as testing/serve_hono.ts
 * mounts it for the tests (a user's app, next to a plain `/health` route). It announces the
 * `/ws` URL, which the load generator connects to. Under Bun it serves with the adapter's
 * `honoBunWebSocket` handlers, or with `--hono-events` with Hono's `websocket` handlers as they
 * are (every message through Hono's `onMessage`).
 *
 * @module
 */

import { conformanceService } from "../../conformance/service.ts";
import { Server } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { serveHono } from "../../testing/serve_hono.ts";
import { announce, hostname } from "./serve_args.ts";
import process from "node:process";

const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
if (runtime.Bun === undefined && runtime.Deno === undefined) {
  throw new Error("webwire_hono_server.ts runs under Bun or Deno");
}
const server = new Server({ ...conformanceService(), sessionManager: new MemorySessionManager() });
const bunEvents = process.argv.includes("--hono-events") ? "hono" : "direct";
const running = await serveHono(server, { hostname, bunEvents });
announce(running.port, new URL(running.url).pathname);
