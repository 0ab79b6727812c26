/**
 * The Deno adapter: serves a WebWire {@link Server} with `Deno.serve` and
 * `Deno.upgradeWebSocket`.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const server = new Server({ sessionManager: new MemorySessionManager() });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * console.assert(running.port > 0);
 * await running.close();
 * ```
 * @module
 */

import { assertServable } from "../server/errors.ts";
import type { Server } from "../server/server.ts";
import type { ConnectionOptions } from "../server/transport.ts";
import { deliverDenoSocket, DenoSocketTransport } from "./deno_socket.ts";
import { hostPort } from "./host_port.ts";
import { listenAt } from "./listen_failure.ts";
import { CuttableResponses } from "./cuttable_responses.ts";
import type { ListenOptions, RunningServer } from "./listening.ts";
import { routeFor, wsUrl } from "./route.ts";
import { handshakeProblem, requestHead } from "./websocket/handshake.ts";

export type { FallbackHandler } from "./route.ts";
export type { ListenOptions, RunningServer } from "./listening.ts";

/**
 * A request handler for `Deno.serve` that upgrades every request to a WebWire connection (or
 * answers it as `Server.prepareUpgrade` decides). Then it checks the handshake as the Node
 * adapter does (405 for a method other than GET, 400 without `connection: upgrade` or a valid
 * key or with a bad subprotocol list, 426 for a version other than 13) before
 * `Deno.upgradeWebSocket`, which would upgrade some of those and throw on others. Mount it on
 * a path of your own router, or use {@link serveDeno}.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { denoHandler } from "@webwire/webwire/adapters/deno";
 *
 * const server = new Server({ onRequest: (request) => `hello ${request.payload.text()}` });
 * const webwire = denoHandler(server);
 * const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request, info) =>
 *   new URL(request.url).pathname === "/ws" ? webwire(request, info) : new Response("page"));
 * const client = new Client(`ws://127.0.0.1:${http.addr.port}/ws`);
 * const reply = await client.request("greet", "Ada");
 * console.assert(reply.text() === "hello Ada");
 * await client.close();
 * await server.shutdown();
 * await http.shutdown();
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
    // Deno would upgrade a bad key, another version or HEAD, and throw (a 500) without a key.
    const problem = handshakeProblem(requestHead(request));
    if (problem !== undefined) return problem;
    // The core enforces WebWire's read timeout: Deno's idle timeout (a ping after 60 s of
    // silence, a close 60 s later) is switched off, as Bun's is. It would also restart a timer
    // for every message.
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
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
  socket.onopen = () => {
    socket.onopen = null; // what it holds is not needed after the open
    deliverDenoSocket(socket, transport, server.accept(transport, options, { remoteAddress }));
  };
}

/**
 * Serves `server` with `Deno.serve`: on `options.path` with every other request answered by
 * `options.fallback`, or on every path.
 *
 * @throws {TypeError} when `path` does not start with `/`, or `fallback` comes without `path`.
 * @throws {ServerShutDownError} when `server` was shut down.
 * @throws {Deno.errors.AddrInUse} when it cannot listen there, with the address in the message
 * (as Deno's other refusals to listen).
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const running = serveDeno(new Server({ sessionManager: new MemorySessionManager() }), {
 *   path: "/ws",
 *   fallback: () => new Response("the page"),
 * });
 * console.assert(running.url.endsWith("/ws"));
 * const page = await fetch(running.url.replace("ws:", "http:").replace("/ws", "/"));
 * console.assert((await page.text()) === "the page");
 * await running.close();
 * ```
 */
export function serveDeno(server: Server, options: ListenOptions = {}): RunningServer {
  assertServable(server, "serveDeno");
  const hostname = options.hostname ?? "127.0.0.1";
  const route = routeFor(options, server.logger);
  const endpoint = denoHandler(server);
  // Deno's shutdown waits for every response: an endless fallback body, or a fallback or
  // `beforeUpgrade` that never answers, would hold it for good.
  const responses = new CuttableResponses();
  const answer = async (request: Request, info: Deno.ServeHandlerInfo) =>
    route.isEndpoint(request.url)
      ? endpoint(request, info)
      // A body that fails at once is the fallback's failure, answered so.
      : await responses.track(await route.fallback(request)).catch(route.failed);
  const http = listenAt(
    () =>
      Deno.serve(
        { port: options.port ?? 0, hostname, onListen: () => {} },
        (request, info) => responses.whenAnswered(answer(request, info)),
      ),
    hostname,
    options.port ?? 0,
  );
  const port = http.addr.port;
  return {
    port,
    url: wsUrl(hostname, port, route),
    close: async () => {
      await server.shutdown();
      // Responses still streaming or not made yet get a grace period, as on Node, then end.
      const grace = setTimeout(() => responses.endAll(), 2000);
      try {
        await http.shutdown();
      } finally {
        clearTimeout(grace);
      }
    },
  };
}
