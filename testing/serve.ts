/**
 * Starts a WebWire server on 127.0.0.1 with whichever runtime runs the caller (Deno or Bun),
 * for tests, the demo and the CLI.
 *
 * @example
 * ```ts
 * import { startServer } from "./serve.ts";
 * const running = await startServer({ onRequest: (request) => request.payload });
 * console.assert(running.url.startsWith("ws://127.0.0.1:"));
 * await running.close();
 * ```
 * @module
 */

import { serveBun } from "../adapters/bun.ts";
import { type RunningServer, serveDeno } from "../adapters/deno.ts";
import { serveDenoTcp } from "../adapters/deno_tcp.ts";
import { serveNode } from "../adapters/node.ts";
import { serveHono } from "./serve_hono.ts";
import { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";

/**
 * Options of {@link startServer}: the server's options plus where to listen.
 *
 * @example
 * ```ts
 * import type { StartOptions } from "./serve.ts";
 * const options: StartOptions = { port: 0, readTimeout: 1000 };
 * console.assert(options.port === 0);
 * ```
 */
export interface StartOptions extends ServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  hostname?: string;
  /**
   * Which adapter serves it: `runtime` (default: Deno's under Deno, Bun's under Bun), `hono`
   * (the Hono adapter on `/ws`), `node` (the `ws`-based Node adapter, which Deno and Bun run
   * too) or `deno-tcp` (Deno's adapter on its TCP listener; Deno only).
   */
  adapter?: "runtime" | "hono" | "node" | "deno-tcp";
}

/**
 * Every adapter the runtime running the tests can serve with: `runtime`, `hono` and `node`
 * everywhere, and `deno-tcp` under Deno.
 *
 * @example
 * ```ts
 * import { adaptersOfThisRuntime } from "./serve.ts";
 * console.assert(adaptersOfThisRuntime.includes("node"));
 * ```
 */
export const adaptersOfThisRuntime: readonly NonNullable<StartOptions["adapter"]>[] = [
  "runtime",
  "hono",
  "node",
  ...("Deno" in globalThis && !("Bun" in globalThis) ? ["deno-tcp" as const] : []),
];

/**
 * A server started by {@link startServer}.
 *
 * @example
 * ```ts
 * import { type StartedServer, startServer } from "./serve.ts";
 * import { Client } from "../client.ts";
 * const running: StartedServer = await startServer({ adapter: "node" });
 * console.assert(running.url === `ws://127.0.0.1:${running.port}/`);
 * const client = new Client(running.url);
 * await client.connect();
 * console.assert(running.server.connectionCount === 1);
 * await client.close();
 * await running.close();
 * ```
 */
export interface StartedServer {
  /** The WebWire server. */
  readonly server: Server;
  /** The port it listens on. */
  readonly port: number;
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Graceful shutdown, then the port is free again. */
  close(): Promise<void>;
}

/**
 * Starts a server with the Deno adapter under Deno and the Bun adapter under Bun. Without a
 * session manager in the options it uses a `MemorySessionManager`.
 *
 * @example
 * ```ts
 * import { startServer } from "./serve.ts";
 * const running = await startServer({ port: 0 });
 * console.assert(running.server.connectionCount === 0);
 * await running.close();
 * ```
 */
export async function startServer(options: StartOptions = {}): Promise<StartedServer> {
  const server = new Server({
    ...options,
    sessionManager: options.sessionManager ?? new MemorySessionManager(),
  });
  const listen = { port: options.port ?? 0, hostname: options.hostname ?? "127.0.0.1" };
  const running = await serveWith(server, options.adapter ?? "runtime", listen);
  return { server, port: running.port, url: running.url, close: running.close };
}

/**
 * Serves `server` with `adapter` (see {@link StartOptions.adapter}) on `listen`; an adapter
 * that throws rejects.
 *
 * @example
 * ```ts
 * import { serveWith } from "./serve.ts";
 * import { Server } from "../server/server.ts";
 * const running = await serveWith(new Server({ sessionsEnabled: false }), "node", { port: 0 });
 * await running.close();
 * ```
 */
export async function serveWith(
  server: Server,
  adapter: NonNullable<StartOptions["adapter"]>,
  listen: { port?: number; hostname?: string } = {},
): Promise<RunningServer> {
  return adapter === "hono"
    ? await serveHono(server, listen)
    : adapter === "node"
    ? await serveNode(server, listen)
    : adapter === "deno-tcp"
    ? await serveDenoTcp(server, listen)
    : "Bun" in globalThis
    ? serveBun(server, listen)
    : serveDeno(server, listen);
}
