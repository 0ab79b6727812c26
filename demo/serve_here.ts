/**
 * Serves a WebWire server with the adapter of the runtime that runs the demo: `serveBun`
 * under Bun, `serveDeno` under Deno. This is all a program needs to choose between them.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * import { serveHere } from "./serve_here.ts";
 * const running = serveHere(new Server({ sessionManager: new MemorySessionManager() }), 0);
 * console.assert(running.url.startsWith("ws://127.0.0.1:"));
 * await running.close();
 * ```
 * @module
 */

import type { RunningServer } from "../adapters/deno.ts";
import { serveBun } from "../adapters/bun.ts";
import { serveDeno } from "../adapters/deno.ts";
import type { Server } from "../server/server.ts";

/**
 * Listens on 127.0.0.1 and `port` (0 for a free one) with the current runtime's adapter.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * import { serveHere } from "./serve_here.ts";
 * const server = new Server({ sessionManager: new MemorySessionManager() });
 * const running = serveHere(server, 0);
 * console.assert(running.port > 0);
 * await running.close();
 * ```
 */
export function serveHere(server: Server, port: number): RunningServer {
  const listen = { port, hostname: "127.0.0.1" };
  return "Bun" in globalThis ? serveBun(server, listen) : serveDeno(server, listen);
}
