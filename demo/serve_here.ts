/**
 * Serves a WebWire server with the adapter of the runtime that runs the demo: `serveBun`
 * under Bun, `serveDeno` under Deno; and picks the client's socket for it. This is all a program
 * needs to choose between them.
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
import type { WebSocketConstructor } from "../client/websocket_like.ts";
import { DenoWebSocket } from "../adapters/deno_websocket.ts";

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

/**
 * The client's `WebSocket` for the current runtime: `DenoWebSocket` under Deno (Deno's own client
 * socket waits about 40 ms for a message sent right after another), the global one elsewhere.
 *
 * @example
 * ```ts
 * import { Client } from "../client.ts";
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * import { clientWebSocketHere, serveHere } from "./serve_here.ts";
 * const running = serveHere(new Server({ sessionManager: new MemorySessionManager() }), 0);
 * const client = new Client(running.url, { WebSocket: clientWebSocketHere() });
 * await client.connect();
 * await client.close();
 * await running.close();
 * ```
 */
export function clientWebSocketHere(): WebSocketConstructor {
  return "Deno" in globalThis && !("Bun" in globalThis) ? DenoWebSocket : WebSocket;
}
