/**
 * The Deno adapter: serves a WebWire {@link Server} with `Deno.serve` and
 * `Deno.upgradeWebSocket`.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { serveDeno } from "./deno.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const server = new Server({ sessionManager: new MemorySessionManager() });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * console.assert(running.port > 0);
 * await running.close();
 * ```
 * @module
 */

import type { Server } from "../server/server.ts";
import type { ConnectionOptions, TransportEvents } from "../server/transport.ts";
import { DenoSocketTransport } from "./deno_socket.ts";
import { hostPort } from "./host_port.ts";

/**
 * A request handler for `Deno.serve` that upgrades every request to a WebWire connection (or
 * answers it as `Server.prepareUpgrade` decides). Mount it on a path of your own router, or
 * use {@link serveDeno}.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { denoHandler } from "./deno.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const handle = denoHandler(new Server({ sessionManager: new MemorySessionManager() }));
 * console.assert(typeof handle === "function");
 * ```
 */
export function denoHandler(
  server: Server,
): (request: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> {
  return async (request, info) => {
    // The peer address can only be read while the request is being handled synchronously.
    const address = info?.remoteAddr as Deno.NetAddr | undefined;
    const decision = await server.prepareUpgrade(request);
    if (!decision.accept) return decision.response;
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    const remoteAddress = address?.hostname === undefined
      ? ""
      : hostPort(address.hostname, address.port);
    serveSocket(server, socket, decision.options, remoteAddress);
    return response;
  };
}

/**
 * Hands an upgraded socket to the core once it opens. A function of its own, so that the
 * closures a connection keeps for its lifetime do not keep the upgrade's request alive.
 */
function serveSocket(
  server: Server,
  socket: WebSocket,
  options: ConnectionOptions,
  remoteAddress: string,
): void {
  const transport = new DenoSocketTransport(socket);
  let events: TransportEvents | undefined;
  socket.onopen = () => {
    events = server.accept(transport, options, { remoteAddress });
  };
  socket.onmessage = (event) => {
    transport.received();
    const data = event.data;
    events?.message(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
  };
  // An error is always followed by a close event, which ends the connection: no error handler
  // (each handler costs memory on every connection).
  socket.onclose = (event) => events?.closed(event.code, event.reason);
}

/**
 * Where to listen.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "./deno.ts";
 * const options: ListenOptions = { port: 8080, hostname: "0.0.0.0" };
 * console.assert(options.port === 8080);
 * ```
 */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  hostname?: string;
}

/**
 * A listening server.
 *
 * @example
 * ```ts
 * import type { RunningServer } from "./deno.ts";
 * const describe = (r: RunningServer): string => r.url;
 * console.assert(typeof describe === "function");
 * ```
 */
export interface RunningServer {
  /** The port it listens on. */
  readonly port: number;
  /** The WebSocket URL to give clients, such as `ws://127.0.0.1:8080/`. */
  readonly url: string;
  /** Shuts the WebWire server down gracefully, then stops listening. */
  close(): Promise<void>;
}

/**
 * Serves `server` with `Deno.serve` on every path.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { serveDeno } from "./deno.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const running = serveDeno(new Server({ sessionManager: new MemorySessionManager() }));
 * console.assert(running.url.startsWith("ws://127.0.0.1:"));
 * await running.close();
 * ```
 */
export function serveDeno(server: Server, options: ListenOptions = {}): RunningServer {
  const hostname = options.hostname ?? "127.0.0.1";
  const http = Deno.serve(
    { port: options.port ?? 0, hostname, onListen: () => {} },
    denoHandler(server),
  );
  const port = http.addr.port;
  return {
    port,
    url: `ws://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`,
    close: async () => {
      await server.shutdown();
      await http.shutdown();
    },
  };
}
