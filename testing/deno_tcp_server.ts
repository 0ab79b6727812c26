/**
 * A `serveDenoTcp` server for one test: an echo service over a memory session manager that logs
 * nothing and records why its connections ended, closed once the test is done. Deno only.
 *
 * @example
 * ```ts
 * import { withDenoTcpServer } from "./deno_tcp_server.ts";
 * await withDenoTcpServer({ path: "/ws" }, async (running) => {
 *   console.assert(running.url.endsWith("/ws"));
 * });
 * ```
 * @module
 */

import type { RunningServer } from "../adapters/deno.ts";
import { type DenoTcpListenOptions, serveDenoTcp } from "../adapters/deno_tcp.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";

/**
 * Serves a server made of `options` (over the defaults above; `onRequest` echoes the payload)
 * with `serveDenoTcp` and the same `options` on 127.0.0.1, runs `run` with it and the reasons
 * of the disconnects so far, then closes it.
 *
 * @example
 * ```ts
 * import { withDenoTcpServer } from "./deno_tcp_server.ts";
 * await withDenoTcpServer({ requestTimeout: 500 }, async ({ port }, disconnects) => {
 *   console.assert(port > 0 && disconnects.length === 0);
 * });
 * ```
 */
export async function withDenoTcpServer(
  options: ServerOptions & DenoTcpListenOptions,
  run: (running: RunningServer, disconnects: DisconnectReason[]) => Promise<void>,
): Promise<void> {
  const disconnects: DisconnectReason[] = [];
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    onRequest: (request) => request.payload,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    ...options,
  });
  const running = await serveDenoTcp(server, options);
  try {
    await run(running, disconnects);
  } finally {
    await running.close();
  }
}

/**
 * Reads `conn` until the server ends it and closes it: what came, one character a byte.
 *
 * @example
 * ```ts
 * import { readToEnd, withDenoTcpServer } from "./deno_tcp_server.ts";
 * await withDenoTcpServer({}, async ({ port }) => {
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port });
 *   await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
 *   console.assert((await readToEnd(conn)).startsWith("HTTP/1.1 "));
 * });
 * ```
 */
export async function readToEnd(conn: Deno.Conn): Promise<string> {
  let answer = "";
  const buffer = new Uint8Array(4096);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      answer += String.fromCharCode(...buffer.subarray(0, n));
    }
  } finally {
    conn.close();
  }
  return answer;
}

/**
 * A fallback whose response body never ends (64 KiB chunks as fast as they are taken), and
 * whether the server has cancelled it.
 *
 * @example
 * ```ts
 * import { endlessFallback } from "./deno_tcp_server.ts";
 * const endless = endlessFallback();
 * await endless.fallback().body?.cancel();
 * console.assert(endless.cancelled());
 * ```
 */
export function endlessFallback(): { fallback: () => Response; cancelled: () => boolean } {
  let cancelled = false;
  const chunk = new Uint8Array(65536).fill(97);
  const fallback = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(chunk),
        cancel: () => void (cancelled = true),
      }),
    );
  return { fallback, cancelled: () => cancelled };
}
