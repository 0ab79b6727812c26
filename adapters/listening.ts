/**
 * What every listening adapter (`serveDeno`, `serveDenoTcp`, `serveBun`, `serveNode`) takes and
 * gives back. A module of its own, with no runtime's types in it: the Node and Bun adapters
 * import these, and a Node project type-checking against them must not need Deno's namespace.
 *
 * @module
 */

import type { FallbackHandler } from "./route.ts";

/**
 * Where to listen, and which path serves WebWire.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "@webwire/webwire/adapters/node";
 * const options: ListenOptions = {
 *   port: 8080,
 *   hostname: "0.0.0.0",
 *   path: "/ws",
 *   fallback: () => new Response("<h1>chat</h1>", { headers: { "content-type": "text/html" } }),
 * };
 * console.assert(options.path === "/ws");
 * ```
 */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind, such as `0.0.0.0` or `::1` (or `[::1]`); default `127.0.0.1`. */
  hostname?: string;
  /**
   * The WebSocket endpoint's path, such as `/ws` (compared with the request's path, without
   * the query). Default: WebWire answers every path.
   */
  path?: string;
  /**
   * Answers every request off `path` (the application's page, its assets); needs `path`.
   * Default: 404.
   */
  fallback?: FallbackHandler;
}

/**
 * A listening server.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { type RunningServer, serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running: RunningServer = serveDeno(new Server({ onRequest: (r) => r.payload }));
 * const client = new Client(running.url); // ws://127.0.0.1:<port>/
 * console.assert((await client.request("echo", "hi")).text() === "hi");
 * await client.close();
 * await running.close(); // shuts WebWire down, then stops listening
 * ```
 */
export interface RunningServer {
  /** The port it listens on. */
  readonly port: number;
  /** The WebSocket URL to give clients, such as `ws://127.0.0.1:8080/` or `…:8080/ws`. */
  readonly url: string;
  /**
   * Shuts the WebWire server down gracefully, then stops listening. Calling it again (during
   * the close or after) resolves too, once the close is done.
   */
  close(): Promise<void>;
}
