/**
 * The Node adapter: serves a WebWire {@link Server} on a `node:http` (or `node:https`) server.
 * `nodeHandlers(server)` gives the `request` and `upgrade` listeners for an HTTP server of your
 * own; {@link serveNode} starts one. It needs no WebSocket package: the `upgrade` listener checks
 * the handshake, writes the `101` itself and does the WebSocket framing on the upgraded socket
 * (`node_framed_socket.ts`, with the portable framing of `websocket/` that the Deno TCP adapter
 * uses too). That keeps the promises of the other adapters and more:
 * - **Throughput**: all the frames of one read are handled together, and the replies of one tick
 *   leave in one write.
 * - **Close codes**: a message over the buffer size closes with 1009, a malformed frame with
 *   1002, invalid UTF-8 with 1007, each after the replies of the handlers already running, and
 *   the close frame reaches a peer that keeps sending (it is followed by a FIN, not a reset).
 * - **Close deadline**: a connection the server has closed is gone within `closeTimeout` even
 *   when the peer never reads (the TCP connection is reset).
 * - **Request deadline** ({@link serveNode}): a connection that has not sent its first request
 *   head within `requestTimeout` (10 s) is dropped, as on `serveDenoTcp`; the `node:http` of
 *   Node and Deno alone keeps one that sends nothing open for good.
 *
 * It also runs under Deno and Bun, on their `node:http`. What it does not do: permessage-deflate
 * and subprotocols (WebWire uses neither).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Server } from "@webwire/webwire/server";
 * import { nodeHandlers } from "@webwire/webwire/adapters/node";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const handlers = nodeHandlers(new Server({ sessionManager: new MemorySessionManager() }));
 * const http = createServer(handlers.request);
 * http.on("upgrade", handlers.upgrade);
 * // http.listen(8080);
 * console.assert(http.listenerCount("upgrade") === 1);
 * ```
 * @module
 */

import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { assertServable } from "../server/errors.ts";
import type { Server } from "../server/server.ts";
import type { UpgradeRequestHead } from "../server/transport.ts";
import { hostPort, unbracketed } from "./host_port.ts";
import { NodeFramedSocket } from "./node_framed_socket.ts";
import {
  badRequest,
  discardBodyWhenAnswered,
  headerValue,
  hostProblem,
  respond,
  toRequest,
  writeRaw,
  writeResponse,
} from "./node_http.ts";
import { earlierResponsesSent } from "./node_pipelining.ts";
import { FirstRequestDeadline } from "./node_request_deadline.ts";
import { namingAddress } from "./listen_failure.ts";
import type { ListenOptions, RunningServer } from "./listening.ts";
import { type FallbackHandler, type Route, routeFor, wsUrl } from "./route.ts";
import { timeoutOption } from "./timeout_option.ts";
import { handshakeProblem, switchingProtocols } from "./websocket/handshake.ts";
import type { RequestHead } from "./websocket/http_request_head.ts";

export type { FallbackHandler, ListenOptions, RunningServer };

/**
 * Listeners for a `node:http` server.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { AddressInfo } from "node:net";
 * import { Server } from "@webwire/webwire/server";
 * import { type NodeHandlers, nodeHandlers } from "@webwire/webwire/adapters/node";
 *
 * // WebWire on /ws, the application's own answers elsewhere.
 * const webwire: NodeHandlers = nodeHandlers(new Server());
 * const http = createServer((req, res) =>
 *   req.url === "/ws" ? webwire.request(req, res) : res.end("page"));
 * http.on("upgrade", (req, socket, head) =>
 *   req.url === "/ws" ? webwire.upgrade(req, socket, head) : socket.destroy());
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
 * console.assert((await (await fetch(`${base}/`)).text()) === "page");
 * const plain = await fetch(`${base}/ws`); // no WebSocket upgrade: the server answers 426
 * console.assert(plain.status === 426, await plain.text());
 * await new Promise((resolve) => http.close(resolve));
 * ```
 */
export interface NodeHandlers {
  /**
   * The `request` listener: answers requests that are no upgrade as `Server.prepareUpgrade`
   * decides (an OPTIONS answer, 426 or 503); one that `node:http` did not take as an upgrade
   * although the core accepts it (`upgrade: websocket` without `connection: upgrade`) gets the
   * handshake's refusal (400), as on the other adapters.
   */
  request(request: IncomingMessage, response: ServerResponse): void;
  /**
   * The `upgrade` listener: upgrades to a WebWire connection (checking the WebSocket handshake:
   * 400 for HTTP/1.0 and 505 for an HTTP major version other than 1, 405 for a method other
   * than GET, 400 without `connection: upgrade` or a valid key, 426 for a version other than
   * 13), or writes the refusal. An upgrade pipelined behind other requests on a keep-alive
   * connection is answered once their responses are written; a client that ends its side
   * (FIN) while `beforeUpgrade` runs is dropped, never connected.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Uint8Array): void;
}

/**
 * Makes the listeners that serve `server` on a `node:http` (or `node:https`) server, on every
 * path; route in front of them to serve WebWire on one path only.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { AddressInfo } from "node:net";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { nodeHandlers } from "@webwire/webwire/adapters/node";
 *
 * const server = new Server({ onRequest: (request) => `hello ${request.payload.text()}` });
 * const { request, upgrade } = nodeHandlers(server);
 * const http = createServer(request).on("upgrade", upgrade);
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const client = new Client(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
 * console.assert((await client.request("greet", "Ada")).text() === "hello Ada");
 * await client.close();
 * await server.shutdown();
 * await new Promise((resolve) => http.close(resolve));
 * ```
 */
export function nodeHandlers(server: Server): NodeHandlers {
  return {
    request(request, response) {
      void answer(server, request, response);
    },
    upgrade(request, socket, head) {
      upgrade(server, request, socket, head).catch(() => socket.destroy());
    },
  };
}

/**
 * Asks the core, checks the handshake, and serves the socket or writes the refusal; settles
 * once the socket is the core's or answered.
 */
async function upgrade(
  server: Server,
  request: IncomingMessage,
  socket: Duplex,
  head: Uint8Array,
): Promise<void> {
  // Node removes its own error listener from an upgraded socket: without one, a reset
  // while the core decides would crash the process.
  socket.on("error", destroyOnError);
  await earlierResponsesSent(socket);
  const decision = await decide(server, request);
  // The answer to a HEAD request has no body (its content-length is the body's all the same).
  const headOnly = request.method === "HEAD";
  if (!decision.accept) return await writeRaw(socket, decision.response, headOnly);
  const requestHead = handshakeHead(request);
  const problem = handshakeProblem(requestHead);
  if (problem !== undefined) return await writeRaw(socket, problem, headOnly);
  const accepted = switchingProtocols(requestHead.headers.get("sec-websocket-key")!);
  // A client that gave up (sent its FIN) while the core decided gets no connection.
  if (socket.destroyed || socket.readableEnded || !socket.writable) return void socket.destroy();
  socket.off("error", destroyOnError);
  const transport = new NodeFramedSocket(socket, {
    maxMessageSize: server.limits.messageBufferSize,
    closeTimeout: server.limits.closeTimeout,
  });
  transport.sendRaw(accepted);
  const events = server.accept(transport, decision.options, {
    remoteAddress: peerAddress(request),
  });
  transport.start(events, head);
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Node's request as the head that `handshakeProblem` checks. */
function handshakeHead(request: IncomingMessage): RequestHead {
  const headers = new Map<string, string>();
  for (const name of Object.keys(request.headers)) {
    headers.set(name, headerValue(request, name) ?? "");
  }
  return {
    kind: "head",
    method: request.method ?? "GET",
    target: request.url ?? "/",
    headers,
    length: 0,
    // `node:http` takes `HTTP/1.0` and `HTTP/2.0` request lines: the handshake refuses both.
    majorVersion: request.httpVersionMajor,
    minorVersion: request.httpVersionMinor,
  };
}

/**
 * Where and how {@link serveNode} listens: {@link ListenOptions} plus the time a client gets
 * to send its first request.
 *
 * @example
 * ```ts
 * import type { NodeListenOptions } from "@webwire/webwire/adapters/node";
 * const options: NodeListenOptions = { port: 8080, path: "/ws", requestTimeout: 5000 };
 * console.assert(options.requestTimeout === 5000);
 * ```
 */
export interface NodeListenOptions extends ListenOptions {
  /**
   * Milliseconds a new connection gets to send its first request head (an upgrade or an HTTP
   * request); default 10 000, as on `serveDenoTcp`. Slower ones are dropped (the socket is
   * destroyed, no answer), so that idle sockets cannot pile up before the upgrade. Once the
   * head is in, the limit no longer runs: an upgraded connection is the core's (`readTimeout`),
   * a keep-alive one `node:http`'s (`keepAliveTimeout`, `headersTimeout`). Bun's `node:http`
   * reports a connection that sends nothing about 1 s late: there the limit runs from then.
   * `Infinity` sets no limit; a value over 2^31 − 1 (about 24.8 days) counts as that.
   */
  requestTimeout?: number;
}

/**
 * Serves `server` with a new `node:http` server: on `options.path` with every other request
 * answered by `options.fallback` (given a Web `Request`, its body streamed; its `Response` body
 * is streamed back), or on every path. A connection that sends no request head within
 * `options.requestTimeout` is dropped. Resolves once it listens.
 *
 * @throws {TypeError} when `path` does not start with `/`, or `fallback` comes without `path`.
 * @throws {RangeError} when `requestTimeout` is 0, negative, `NaN` or not a number (the promise
 * rejects; nothing listens).
 * @throws {ServerShutDownError} when `server` was shut down (the promise rejects).
 * @throws {Error} when it cannot listen there: the runtime's error (`code` `EADDRINUSE`,
 * `ENOTFOUND`, ...) with the address in its message (the promise rejects; nothing listens).
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveNode } from "@webwire/webwire/adapters/node";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const running = await serveNode(new Server({ sessionManager: new MemorySessionManager() }), {
 *   path: "/ws",
 *   fallback: () => new Response("the page"),
 *   requestTimeout: 5000, // a client that sends nothing for 5 s is dropped
 * });
 * console.assert(running.url.startsWith("ws://127.0.0.1:") && running.url.endsWith("/ws"));
 * await running.close();
 * ```
 */
export async function serveNode(
  server: Server,
  options: NodeListenOptions = {},
): Promise<RunningServer> {
  assertServable(server, "serveNode");
  const hostname = unbracketed(options.hostname ?? "127.0.0.1");
  const route = routeFor(options, server.logger);
  const requestTimeout = timeoutOption("requestTimeout", options.requestTimeout, 10_000);
  const handlers = nodeHandlers(server);
  const http = createServer((request, response) => {
    if (route.isEndpoint(request.url ?? "/")) handlers.request(request, response);
    else void respond(route, request, response);
  });
  const deadline = new FirstRequestDeadline(http, requestTimeout);
  /** Sockets of upgrade requests being answered, which `closeAllConnections` does not end. */
  const answering = new Set<Duplex>();
  const answerRaw = (request: IncomingMessage, socket: Duplex) => {
    // An answer still streaming when the server closes is cut then (`close` does not wait).
    answering.add(socket);
    socket.once("close", () => answering.delete(socket));
    void answerOffEndpoint(route, request, socket);
  };
  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Uint8Array) => {
    if (route.isEndpoint(request.url ?? "/")) {
      // Cut at the close's grace too: a `beforeUpgrade` that never answers would hold `close`.
      answering.add(socket);
      const upgraded = upgrade(server, request, socket, head).catch(() => socket.destroy());
      return void upgraded.finally(() => answering.delete(socket));
    }
    // An upgrade off the endpoint gets the fallback's answer, as on Deno and Bun.
    answerRaw(request, socket);
  });
  // A CONNECT (which `node:http` would drop unanswered) is answered as well: a `Request` cannot
  // carry that method, so it gets 400, and the connection ends.
  http.on("connect", answerRaw);
  const listening = once(http, "listening"); // rejects with the listen's error
  http.listen(options.port ?? 0, hostname);
  await listening.catch((e) => Promise.reject(namingAddress(e, hostname, options.port ?? 0)));
  const port = (http.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = async () => {
    await server.shutdown();
    deadline.dropWaiting();
    // HTTP requests in flight get a grace period; so does a keep-alive connection that
    // Deno's `node:http` no longer counts as idle.
    const grace = setTimeout(() => {
      http.closeAllConnections();
      for (const socket of answering) socket.destroy();
    }, 2000);
    try {
      await new Promise<void>((resolve, reject) => {
        http.close((error) => error === undefined ? resolve() : reject(error));
        http.closeIdleConnections();
      });
    } finally {
      clearTimeout(grace);
    }
  };
  // Called again (a second signal, a `finally`): the same close, not "server not running".
  return { port, url: wsUrl(hostname, port, route), close: () => closing ??= close() };
}

/** Writes the fallback's answer to an upgrade request off the endpoint (500 if it throws). */
async function answerOffEndpoint(
  route: Route,
  request: IncomingMessage,
  socket: Duplex,
): Promise<void> {
  socket.on("error", () => socket.destroy());
  const headOnly = request.method === "HEAD";
  try {
    await earlierResponsesSent(socket);
    const badHost = hostProblem(request);
    let standard: Request | undefined;
    try {
      if (badHost === undefined) standard = toRequest(request);
    } catch {
      // A host and target that make no valid URL: 400, below.
    }
    // A fallback that throws, or whose body fails at once, is answered 500 by the route.
    await writeRaw(
      socket,
      standard === undefined ? badHost ?? badRequest() : await route.fallback(standard),
      headOnly,
      route.failed,
    );
  } catch (error) {
    // The body failed after its head: cut short (a client that left is no failure).
    if (!socket.destroyed) route.bodyFailed(error);
    socket.destroy();
  }
}

type Decision = Awaited<ReturnType<Server["prepareUpgrade"]>>;

/**
 * Asks the core about a request. The standard `Request` is made only if a hook asks for it; a
 * request that does not make a valid URL then gets 400, as one without exactly one Host at once.
 */
async function decide(server: Server, request: IncomingMessage): Promise<Decision> {
  const badHost = hostProblem(request);
  if (badHost !== undefined) return { accept: false, response: badHost };
  let badUrl = false;
  const head: UpgradeRequestHead = {
    method: request.method ?? "GET",
    header: (name) => headerValue(request, name),
    toRequest: () => {
      try {
        return toRequest(request);
      } catch (error) {
        badUrl = true;
        throw error;
      }
    },
  };
  try {
    return await server.prepareUpgrade(head);
  } catch (error) {
    if (!badUrl) throw error;
    return { accept: false, response: badRequest() };
  }
}

async function answer(
  server: Server,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  discardBodyWhenAnswered(request, response); // a body sent along is never read
  try {
    const decision = await decide(server, request);
    // A request that reached the `request` listener is no upgrade for Node (`upgrade: websocket`
    // without `connection: upgrade`, say): accepted, it gets the handshake's refusal (400), as
    // on the other adapters, else 426.
    const reply = decision.accept
      ? handshakeProblem(handshakeHead(request)) ??
        new Response("expected a WebSocket upgrade\n", { status: 426 })
      : decision.response;
    await writeResponse(reply, response);
  } catch {
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  }
}

function peerAddress(request: IncomingMessage): string {
  const { remoteAddress, remotePort } = request.socket;
  return remoteAddress === undefined ? "" : hostPort(remoteAddress, remotePort);
}
