/**
 * The Deno adapter on Deno's TCP listener: serves a WebWire {@link Server} with `Deno.listen`,
 * doing the HTTP/1.1 upgrade and the WebSocket framing itself instead of using `Deno.serve`.
 *
 * Why a second Deno adapter: owning the TCP connection keeps the promises that Deno's own
 * `WebSocket` cannot.
 * - **Close deadline**: a connection the server has closed is gone within `closeTimeout` even
 *   when the peer never reads (Deno's `WebSocket` keeps a connection with a pending write until
 *   the peer reads or leaves).
 * - **Close codes**: a peer that keeps sending after a bad message still gets the close frame
 *   with its code (1002, 1003, 1008, 1009) instead of a reset (1006).
 * - **Throughput**: all the frames of one read are handled together and the replies of one turn
 *   of the event loop leave in one write.
 *
 * What it does not do: HTTP/2, permessage-deflate, HTTP keep-alive. A request that is not for
 * the WebWire endpoint gets one answer from `fallback` (its body up to 1 MiB, with a
 * `content-length`) and the connection closes; serve a whole web application with
 * {@link serveDeno} or Hono instead.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDenoTcp } from "@webwire/webwire/adapters/deno-tcp";
 * import { Client } from "@webwire/webwire";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const server = new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: (request) => `hello, ${request.payload.text()}`,
 * });
 * const running = await serveDenoTcp(server, { port: 0, path: "/ws" });
 * const client = new Client(running.url, { autoconnect: false });
 * await client.connect();
 * const reply = await client.request("greet", "ada");
 * console.assert(reply.text() === "hello, ada");
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import type { Server } from "../server/server.ts";
import type { UpgradeRequestHead } from "../server/transport.ts";
import { DenoTcpSocket } from "./deno_tcp_socket.ts";
import type { ListenOptions, RunningServer } from "./deno.ts";
import { hostPort } from "./host_port.ts";
import { type Route, routeFor, wsUrl } from "./route.ts";
import { handshakeProblem, responseBytes, switchingProtocols } from "./websocket/handshake.ts";
import {
  readRequestHead,
  type RequestHead,
  type RequestHeadResult,
} from "./websocket/http_request_head.ts";

export type { FallbackHandler, ListenOptions, RunningServer } from "./deno.ts";

/**
 * Where and how {@link serveDenoTcp} listens: {@link ListenOptions} plus TLS and the time a
 * client gets to send its request.
 *
 * @example
 * ```ts
 * import type { DenoTcpListenOptions } from "@webwire/webwire/adapters/deno-tcp";
 * const options: DenoTcpListenOptions = {
 *   port: 8443,
 *   hostname: "0.0.0.0",
 *   path: "/ws",
 *   tls: { cert: "-----BEGIN CERTIFICATE-----…", key: "-----BEGIN PRIVATE KEY-----…" },
 * };
 * console.assert(options.tls !== undefined);
 * ```
 */
export interface DenoTcpListenOptions extends ListenOptions {
  /** Serves `wss://` with this certificate chain and key (PEM); default plain `ws://`. */
  tls?: { cert: string; key: string };
  /**
   * Milliseconds a new connection gets to send its whole request head; default 10 000. Slower
   * ones are dropped, so that idle sockets cannot pile up before the upgrade.
   */
  requestTimeout?: number;
}

/** How long to wait before accepting again after a failed accept (such as EMFILE). */
const acceptRetryMs = 50;

/** The largest request body a fallback is given. */
const maxFallbackBody = 1 << 20;

/**
 * Serves `server` on a TCP (or TLS) listener of its own: on `options.path` with every other
 * request answered by `options.fallback`, or on every path. Resolves once it listens.
 *
 * @throws {TypeError} when `path` does not start with `/`, or `fallback` comes without `path`.
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDenoTcp } from "@webwire/webwire/adapters/deno-tcp";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * const running = await serveDenoTcp(new Server({ sessionManager: new MemorySessionManager() }), {
 *   path: "/ws",
 *   fallback: () => new Response("the page"),
 * });
 * const page = await fetch(running.url.replace("ws:", "http:").replace("/ws", "/"));
 * console.assert((await page.text()) === "the page");
 * await running.close();
 * ```
 */
export function serveDenoTcp(
  server: Server,
  options: DenoTcpListenOptions = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const route = routeFor(options);
  const port = options.port ?? 0;
  const listener = options.tls === undefined
    ? Deno.listen({ hostname, port })
    : Deno.listenTls({ hostname, port, cert: options.tls.cert, key: options.tls.key });
  const handshaking = new Set<Deno.Conn>();
  const context: HandshakeContext = {
    server,
    route,
    handshaking,
    requestTimeout: options.requestTimeout ?? 10_000,
    secure: options.tls !== undefined,
  };
  let listening = true;
  const accepting = (async () => {
    while (listening) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (!listening || error instanceof Deno.errors.BadResource) return;
        // Out of file descriptors, say: accepting goes on once some have been freed.
        await new Promise((resolve) => setTimeout(resolve, acceptRetryMs));
        continue;
      }
      void handshake(context, conn);
    }
  })();
  const boundPort = listener.addr.port;
  const url = wsUrl(hostname, boundPort, route);
  return Promise.resolve({
    port: boundPort,
    url: options.tls === undefined ? url : url.replace(/^ws:/, "wss:"),
    close: async () => {
      await server.shutdown();
      listening = false;
      listener.close();
      await accepting;
      for (const conn of handshaking) closeQuietly(conn);
    },
  });
}

interface HandshakeContext {
  readonly server: Server;
  readonly route: Route;
  readonly handshaking: Set<Deno.Conn>;
  readonly requestTimeout: number;
  readonly secure: boolean;
}

/** Reads a new connection's request and upgrades it, or answers it and closes. */
async function handshake(context: HandshakeContext, conn: Deno.Conn): Promise<void> {
  context.handshaking.add(conn);
  const timer = setTimeout(() => closeQuietly(conn), context.requestTimeout);
  try {
    const read = await readHead(conn);
    if (read === undefined) return closeQuietly(conn);
    const { head, bytes } = read;
    if (head.kind === "invalid") {
      return await answer(conn, new Response(`${head.reason}\n`, { status: head.status }));
    }
    const request = { head, conn, bytes, secure: context.secure };
    if (!context.route.isEndpoint(head.target)) {
      const body = await readBody(request);
      if (body === undefined) {
        return await answer(conn, new Response("request body too large\n", { status: 413 }));
      }
      const response = await context.route.fallback(toRequest(request, body));
      return await answer(conn, response, head.method === "HEAD");
    }
    await upgrade(context.server, request, timer);
  } catch {
    closeQuietly(conn);
  } finally {
    clearTimeout(timer);
    context.handshaking.delete(conn);
  }
}

/** A request head and every byte read so far (the head, then what followed it). */
interface ReadRequest {
  readonly head: RequestHead;
  readonly conn: Deno.Conn;
  readonly bytes: Uint8Array;
  readonly secure: boolean;
}

async function upgrade(
  server: Server,
  request: ReadRequest,
  timer: ReturnType<typeof setTimeout>,
): Promise<void> {
  const { head, conn } = request;
  const upgradeHead: UpgradeRequestHead = {
    method: head.method,
    header: (name) => head.headers.get(name) ?? null,
    toRequest: () => toRequest(request, undefined),
  };
  const decision = await server.prepareUpgrade(upgradeHead);
  if (!decision.accept) return await answer(conn, decision.response, head.method === "HEAD");
  const problem = handshakeProblem(head);
  if (problem !== undefined) return await answer(conn, problem);
  const accepted = switchingProtocols(head.headers.get("sec-websocket-key")!);
  clearTimeout(timer);
  (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
  const socket = new DenoTcpSocket(conn, {
    maxMessageSize: server.limits.messageBufferSize,
    closeTimeout: server.limits.closeTimeout,
  });
  socket.sendRaw(accepted);
  const address = conn.remoteAddr as Deno.NetAddr;
  const events = server.accept(socket, decision.options, {
    remoteAddress: hostPort(address.hostname, address.port),
  });
  socket.start(events, request.bytes.subarray(head.length));
}

/** Reads until the request head is complete: the head and all bytes read, or `undefined`. */
async function readHead(
  conn: Deno.Conn,
): Promise<
  { head: Exclude<RequestHeadResult, { kind: "incomplete" }>; bytes: Uint8Array } | undefined
> {
  let bytes = new Uint8Array(2048);
  let length = 0;
  for (;;) {
    if (length === bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    const n = await conn.read(bytes.subarray(length));
    if (n === null) return undefined;
    length += n;
    const head = readRequestHead(bytes.subarray(0, length));
    if (head.kind !== "incomplete") return { head, bytes: bytes.subarray(0, length) };
  }
}

/** The request's body by its `content-length`: `undefined` when over the limit. */
async function readBody(request: ReadRequest): Promise<Uint8Array | undefined> {
  const { head, conn } = request;
  const declared = Number(head.headers.get("content-length") ?? "0");
  if (head.headers.has("transfer-encoding") || !Number.isSafeInteger(declared) || declared < 0) {
    return declared === 0 && !head.headers.has("transfer-encoding") ? new Uint8Array(0) : undefined;
  }
  if (declared > maxFallbackBody) return undefined;
  const body = new Uint8Array(declared);
  const already = request.bytes.subarray(head.length, head.length + declared);
  body.set(already);
  let filled = already.length;
  while (filled < declared) {
    const n = await conn.read(body.subarray(filled));
    if (n === null) return undefined;
    filled += n;
  }
  return body;
}

function toRequest(request: ReadRequest, body: Uint8Array | undefined): Request {
  const { head } = request;
  const headers = new Headers();
  for (const [name, value] of head.headers) headers.set(name, value);
  const origin = `${request.secure ? "https" : "http"}://${
    head.headers.get("host") ?? "localhost"
  }`;
  const withBody = body !== undefined && head.method !== "GET" && head.method !== "HEAD";
  return new Request(new URL(head.target, origin), {
    method: head.method,
    headers,
    body: withBody ? body as Uint8Array<ArrayBuffer> : undefined,
  });
}

/** Writes a whole response, shuts the write side and closes once the peer is done. */
async function answer(conn: Deno.Conn, response: Response, headOnly = false): Promise<void> {
  const bytes = await responseBytes(response, headOnly);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
  // A FIN, then whatever the client still sends is drained for a moment: closing with unread
  // bytes would reset the connection, and a reset can destroy the response before it is read.
  await conn.closeWrite();
  const drain = new Uint8Array(1024);
  const deadline = setTimeout(() => closeQuietly(conn), 2000);
  try {
    while (await conn.read(drain) !== null);
  } finally {
    clearTimeout(deadline);
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
