/**
 * The Node adapter: serves a WebWire {@link Server} on a `node:http` server with the `ws`
 * package. `nodeHandlers(server)` gives the `request` and `upgrade` listeners for an HTTP server
 * of your own; {@link serveNode} starts one. `ws` enforces the message buffer size itself
 * (`maxPayload`, close code 1009).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Server } from "../server.ts";
 * import { nodeHandlers } from "./node.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const handlers = nodeHandlers(new Server({ sessionManager: new MemorySessionManager() }));
 * const http = createServer(handlers.request);
 * http.on("upgrade", handlers.upgrade);
 * // http.listen(8080);
 * console.assert(http.listenerCount("upgrade") === 1);
 * ```
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import process from "node:process";
// `ws` ships no types; the few the adapter needs are in node_ws.d.ts (which says why not
// @types/ws).
// @ts-types="./node_ws.d.ts"
import { WebSocket, WebSocketServer } from "ws";
import { CloseCode } from "../server/close_codes.ts";
import type { Server } from "../server/server.ts";
import type {
  ConnectionOptions,
  TransportEvents,
  TransportSocket,
  UpgradeRequestHead,
} from "../server/transport.ts";
import type { ListenOptions, RunningServer } from "./deno.ts";
import { hostPort } from "./host_port.ts";
import { headerValue, respond, toRequest, writeRaw, writeResponse } from "./node_http.ts";
import { routeFor, wsUrl } from "./route.ts";

export type { FallbackHandler, ListenOptions, RunningServer } from "./deno.ts";

/**
 * Listeners for a `node:http` server.
 *
 * @example
 * ```ts
 * import type { NodeHandlers } from "./node.ts";
 * const names = (h: NodeHandlers): string[] => Object.keys(h);
 * console.assert(typeof names === "function");
 * ```
 */
export interface NodeHandlers {
  /**
   * The `request` listener: answers requests that are no upgrade as `Server.prepareUpgrade`
   * decides (an OPTIONS answer, 426 or 503).
   */
  request(request: IncomingMessage, response: ServerResponse): void;
  /** The `upgrade` listener: upgrades to a WebWire connection, or writes the refusal. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Uint8Array): void;
}

/**
 * Makes the listeners that serve `server` on a `node:http` (or `node:https`) server, on every
 * path; route in front of them to serve WebWire on one path only.
 *
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { nodeHandlers } from "./node.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const handlers = nodeHandlers(new Server({ sessionManager: new MemorySessionManager() }));
 * console.assert(typeof handlers.upgrade === "function");
 * ```
 */
export function nodeHandlers(server: Server): NodeHandlers {
  const size = server.limits.messageBufferSize;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: size,
    clientTracking: false,
    perMessageDeflate: false,
    WebSocket: withCloseReasons({
      [CloseCode.MessageTooBig]: `message over the buffer size of ${size} bytes`,
      [CloseCode.ProtocolViolation]: "invalid WebSocket frame",
      1007: "invalid UTF-8 in a text frame",
    }),
  });
  return {
    request(request, response) {
      void answer(server, request, response);
    },
    upgrade(request, socket, head) {
      // Node removes its own error listener from an upgraded socket: without one, a reset
      // while the core decides would crash the process.
      const onError = () => socket.destroy();
      socket.on("error", onError);
      void (async () => {
        const decision = await decide(server, request);
        if (!decision.accept) {
          await writeRaw(socket, decision.response);
          return;
        }
        socket.off("error", onError);
        const remoteAddress = peerAddress(request);
        wss.handleUpgrade(request, socket, toBuffer(head), (ws) => {
          serveSocket(server, ws, socket, decision.options, remoteAddress);
        });
      })().catch(() => socket.destroy());
    },
  };
}

/** Hands an upgraded socket to the core; its events reach the core through shared listeners. */
function serveSocket(
  server: Server,
  ws: WebSocket,
  socket: Duplex,
  options: ConnectionOptions,
  remoteAddress: string,
): void {
  const served = ws as ServedWebSocket;
  served.events = server.accept(new NodeTransport(ws, socket), options, { remoteAddress });
  ws.on("message", onMessage);
  ws.on("close", onClose);
  ws.on("error", onError);
}

// One listener of each kind for every socket (`ws` calls them with the socket as `this`), not
// three closures per connection: memory per idle connection is what a server with many
// clients pays for.

function onMessage(
  this: ServedWebSocket,
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
) {
  const bytes = toBytes(data);
  this.events?.message(isBinary ? bytes : new TextDecoder().decode(bytes));
}

function onClose(this: ServedWebSocket, code: number, reason: Buffer) {
  // After refusing a message over maxPayload, ws sends the client 1009 but stops reading, so
  // its own close event only knows 1006.
  if (this.tooBig !== undefined) this.events?.closed(CloseCode.MessageTooBig, this.tooBig.message);
  else this.events?.closed(code, reason.toString());
}

/** An error is always followed by a close event, which ends the connection. */
function onError(this: ServedWebSocket, error: Error) {
  if ((error as { code?: unknown }).code === wsTooBigCode) this.tooBig ??= error;
}

/**
 * A `ws` socket as the core sees it (methods on the prototype: no closures per socket).
 *
 * Sends are batched: the first send of a tick corks the TCP socket and the end of the tick
 * uncorks it, so that the replies to a burst of requests (answered one by one, as their
 * handlers' promises settle) leave in one `writev` instead of one system call each, which is
 * most of what a small reply costs on Node. `ws` keeps a reference to the bytes it was given
 * until they are written; the core never changes bytes it has sent.
 */
class NodeTransport implements TransportSocket {
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  #corked = false;

  constructor(ws: WebSocket, socket: Duplex) {
    this.#ws = ws;
    this.#socket = socket;
  }

  send(bytes: Uint8Array): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      if (corked.push(this) === 1) process.nextTick(uncorkAll);
    }
    this.#ws.send(bytes);
  }

  /** Writes what the tick's sends queued (called once per tick that sent, by `uncorkAll`). */
  uncork(): void {
    this.#corked = false;
    this.#socket.uncork();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /**
   * A reset, not a FIN: a FIN would wait behind the bytes a stalled peer never reads, and the
   * kernel would keep the connection (and those bytes) for minutes.
   */
  terminate(): void {
    const tcp = this.#socket as Duplex & { resetAndDestroy?: () => void };
    if (typeof tcp.resetAndDestroy === "function" && !tcp.destroyed) tcp.resetAndDestroy();
    this.#ws.terminate();
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }
}

/**
 * Serves `server` with a new `node:http` server: on `options.path` with every other request
 * answered by `options.fallback` (given a Web `Request`, its body streamed; its `Response` body
 * is streamed back), or on every path. Resolves once it listens.
 *
 * @throws {TypeError} when `path` does not start with `/`, or `fallback` comes without `path`.
 * @example
 * ```ts
 * import { Server } from "../server.ts";
 * import { serveNode } from "./node.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const running = await serveNode(new Server({ sessionManager: new MemorySessionManager() }), {
 *   path: "/ws",
 *   fallback: () => new Response("the page"),
 * });
 * console.assert(running.url.startsWith("ws://127.0.0.1:") && running.url.endsWith("/ws"));
 * await running.close();
 * ```
 */
export async function serveNode(
  server: Server,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const route = routeFor(options);
  const handlers = nodeHandlers(server);
  const http = createServer((request, response) => {
    if (route.isEndpoint(request.url ?? "/")) handlers.request(request, response);
    else void respond(route.fallback, request, response);
  });
  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Uint8Array) => {
    if (route.isEndpoint(request.url ?? "/")) return handlers.upgrade(request, socket, head);
    // An upgrade off the endpoint gets the fallback's answer, as on Deno and Bun.
    const onError = () => socket.destroy();
    socket.on("error", onError);
    void (async () => {
      await writeRaw(socket, await route.fallback(toRequest(request)));
    })().catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, hostname, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: wsUrl(hostname, port, route),
    close: async () => {
      await server.shutdown();
      // HTTP requests in flight get a grace period; so does a keep-alive connection that
      // Deno's `node:http` no longer counts as idle.
      const grace = setTimeout(() => http.closeAllConnections(), 2000);
      try {
        await new Promise<void>((resolve, reject) => {
          http.close((error) => error === undefined ? resolve() : reject(error));
          http.closeIdleConnections();
        });
      } finally {
        clearTimeout(grace);
      }
    },
  };
}

type Decision = Awaited<ReturnType<Server["prepareUpgrade"]>>;

/**
 * Asks the core about a request. The standard `Request` is made only if a hook asks for it; a
 * request that does not make a valid URL then gets 400.
 */
async function decide(server: Server, request: IncomingMessage): Promise<Decision> {
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
    return { accept: false, response: new Response("bad request\n", { status: 400 }) };
  }
}

async function answer(
  server: Server,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const decision = await decide(server, request);
    // A request that reached the `request` listener is no upgrade, so it is never accepted.
    const reply = decision.accept
      ? new Response("expected a WebSocket upgrade\n", { status: 426 })
      : decision.response;
    await writeResponse(reply, response);
  } catch {
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  }
}

/** The transports that sent in this tick and have their socket corked. */
let corked: NodeTransport[] = [];

function uncorkAll(): void {
  const transports = corked;
  corked = [];
  for (const transport of transports) transport.uncork();
}

const wsTooBigCode = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** `ws`'s WebSocket with what the shared listeners need of its connection. */
class ServedWebSocket extends WebSocket {
  /** The core's handlers for this socket's events. */
  events: TransportEvents | undefined = undefined;
  /** The error of a message over `maxPayload`, reported as 1009 at the close. */
  tooBig: Error | undefined = undefined;
}

/**
 * The WebSocket class `ws` makes for each connection, giving the closes that `ws` starts itself
 * (an oversized message, a broken frame) a reason: `ws` sends them with the code alone.
 */
function withCloseReasons(reasons: Record<number, string>): typeof WebSocket {
  return class extends ServedWebSocket {
    override close(code?: number, reason?: string): void {
      super.close(code, reason ?? (code === undefined ? undefined : reasons[code]));
    }
  };
}

function peerAddress(request: IncomingMessage): string {
  const { remoteAddress, remotePort } = request.socket;
  return remoteAddress === undefined ? "" : hostPort(remoteAddress, remotePort);
}

function toBuffer(head: Uint8Array): Buffer {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength);
}

/** `ws` hands out a Buffer, an ArrayBuffer or Buffer fragments, by its `binaryType`. */
function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
