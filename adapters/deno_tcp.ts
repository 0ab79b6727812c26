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
 * the WebWire endpoint gets one answer from `fallback` (its body up to 1 MiB, by
 * `content-length` or chunked, after `100 Continue` where the client expects it; the response
 * streamed, cancelled when the client leaves) and the connection closes; `close()` gives answers
 * under way 2 s to finish, as {@link serveDeno} does. An HTTP/1.1 request without exactly one
 * Host gets 400. Serve a whole web application with {@link serveDeno} or Hono instead.
 * With `tls`, a client stalled in the TLS handshake is not dropped (Deno cannot close such a
 * connection): terminate TLS at a proxy for a public server.
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

import { ServerShutDownError } from "../server/errors.ts";
import type { Server } from "../server/server.ts";
import type { UpgradeRequestHead } from "../server/transport.ts";
import { DenoTcpSocket } from "./deno_tcp_socket.ts";
import type { ListenOptions, RunningServer } from "./listening.ts";
import { PeerWatch } from "./deno_tcp_peer_watch.ts";
import { ByteSource, readBody, readHead, toRequest } from "./deno_tcp_request.ts";
import { closeQuietly, respond, type ResponseTarget } from "./deno_tcp_response.ts";
import { hostPort } from "./host_port.ts";
import { listenAt } from "./listen_failure.ts";
import { type Route, routeFor, wsUrl } from "./route.ts";
import { startTimeout, timeoutOption } from "./timeout_option.ts";
import { handshakeProblem, switchingProtocols } from "./websocket/handshake.ts";
import type { RequestHead } from "./websocket/http_request_head.ts";

export type { ListenOptions, RunningServer } from "./listening.ts";
export type { FallbackHandler } from "./route.ts";

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
   * ones are dropped, so that idle sockets cannot pile up before the upgrade. Once the head is
   * in, the limit no longer runs while the server works (`beforeUpgrade`, a fallback, a long
   * response); a fallback's request body gets the same time again, and a response is dropped
   * (its body cancelled) when one of its writes makes no progress for that long: a client
   * that stops reading. A stream that is only quiet (server-sent events) is never cut.
   * `Infinity` sets no limit; a value over 2^31 − 1 (about 24.8 days) counts as that.
   */
  requestTimeout?: number;
}

/** How long to wait before accepting again after a failed accept (such as EMFILE). */
const acceptRetryMs = 50;

/**
 * Serves `server` on a TCP (or TLS) listener of its own: on `options.path` with every other
 * request answered by `options.fallback`, or on every path. Resolves once it listens.
 *
 * @throws {TypeError} when `path` does not start with `/`, or `fallback` comes without `path`.
 * @throws {RangeError} when `requestTimeout` is 0, negative, `NaN` or not a number (before it
 * listens).
 * @throws {ServerShutDownError} when `server` was shut down (the promise rejects).
 * @throws {Deno.errors.AddrInUse} when it cannot listen there, with the address in the message
 * (the promise rejects; so do Deno's other refusals to listen).
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
  if (server.isShuttingDown) return Promise.reject(new ServerShutDownError("serveDenoTcp"));
  const hostname = options.hostname ?? "127.0.0.1";
  const route = routeFor(options, server.logger);
  const requestTimeout = timeoutOption("requestTimeout", options.requestTimeout, 10_000);
  const port = options.port ?? 0;
  let listener: Deno.TcpListener | Deno.TlsListener;
  try {
    listener = listenAt(
      () =>
        options.tls === undefined
          ? Deno.listen({ hostname, port })
          : Deno.listenTls({ hostname, port, cert: options.tls!.cert, key: options.tls!.key }),
      hostname,
      port,
    );
  } catch (error) {
    return Promise.reject(error); // as every failure after the options' checks
  }
  const handshaking = new Set<Deno.Conn>();
  const answering = new Map<Deno.Conn, Promise<void>>();
  const context: HandshakeContext = {
    server,
    route,
    handshaking,
    answering,
    requestTimeout,
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
      const answered = handshake(context, conn);
      void answered.finally(() => answering.delete(conn));
      answering.set(conn, answered);
    }
  })();
  const boundPort = listener.addr.port;
  const url = wsUrl(hostname, boundPort, route);
  let closing: Promise<void> | undefined;
  const close = async () => {
    await server.shutdown();
    listening = false;
    listener.close();
    await accepting;
    // A client still sending its request head gets no answer; one being answered (a
    // fallback's response, an upgrade under way) gets a grace period, as on serveDeno.
    for (const conn of handshaking) closeQuietly(conn);
    await graceFor(answering);
  };
  return Promise.resolve({
    port: boundPort,
    url: options.tls === undefined ? url : url.replace(/^ws:/, "wss:"),
    // Called again (a second signal, a `finally`): the same close, not a bad resource.
    close: () => closing ??= close(),
  });
}

interface HandshakeContext {
  readonly server: Server;
  readonly route: Route;
  /** Connections whose request head has not come in whole yet. */
  readonly handshaking: Set<Deno.Conn>;
  /** Connections being answered, each with the handling that settles once it is done. */
  readonly answering: Map<Deno.Conn, Promise<void>>;
  readonly requestTimeout: number;
  readonly secure: boolean;
}

/** A request head read from a connection, and what reads and answers on it. */
interface Exchange {
  readonly context: HandshakeContext;
  readonly conn: Deno.Conn;
  readonly source: ByteSource;
  readonly head: RequestHead;
}

/** Reads a new connection's request and upgrades it, or answers it and closes. */
async function handshake(context: HandshakeContext, conn: Deno.Conn): Promise<void> {
  context.handshaking.add(conn);
  try {
    const source = new ByteSource(conn);
    // The time limit is for the client's request head only, never for the server's own work.
    const head = await within(conn, context.requestTimeout, () => readHead(source));
    if (head === undefined) return closeQuietly(conn);
    context.handshaking.delete(conn);
    if (head.kind === "invalid") {
      const response = new Response(`${head.reason}\n`, { status: head.status });
      return await respond(target(context, conn, new PeerWatch(conn)), response);
    }
    const exchange = { context, conn, source, head };
    if (context.route.isEndpoint(head.target)) await upgrade(exchange);
    else await fallback(exchange);
  } catch {
    closeQuietly(conn);
  } finally {
    context.handshaking.delete(conn);
  }
}

function target(context: HandshakeContext, conn: Deno.Conn, watch: PeerWatch): ResponseTarget {
  return { conn, watch, writeTimeout: context.requestTimeout, route: context.route };
}

/** How long `close` lets the answers under way finish before it closes their connections. */
const closeGraceMs = 2000;

/** Waits for the answers under way, up to {@link closeGraceMs}, then closes what is left. */
async function graceFor(answering: Map<Deno.Conn, Promise<void>>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, closeGraceMs));
  await Promise.race([Promise.all(answering.values()), late]);
  clearTimeout(timer);
  // A closed connection ends its response; a fallback that never answers is not waited for.
  for (const conn of answering.keys()) closeQuietly(conn);
}

/** Runs `read`, closing `conn` (which makes the read fail) if it takes over `ms`. */
async function within<T>(conn: Deno.Conn, ms: number, read: () => Promise<T>): Promise<T> {
  const timer = startTimeout(ms, () => closeQuietly(conn));
  try {
    return await read();
  } finally {
    clearTimeout(timer);
  }
}

/** Answers a request off the WebWire path with the fallback's response. */
async function fallback(exchange: Exchange): Promise<void> {
  const { context, conn, source, head } = exchange;
  const headOnly = head.method === "HEAD";
  const http10 = head.minorVersion === 0;
  const expect = head.headers.get("expect")?.toLowerCase();
  if (expect !== undefined && expect !== "100-continue") {
    const refusal = new Response("expect: 100-continue only\n", { status: 417 });
    return await respond(target(context, conn, new PeerWatch(conn)), refusal, { headOnly, http10 });
  }
  // A client that waits for `100 Continue` before it sends its body gets it once the body is
  // accepted (its length within the limit), not at all when it is refused.
  const proceed = expect === undefined || http10 ? undefined : () => writeFully(conn, continued);
  // The body gets requestTimeout of its own once the head is in.
  const read = await within(conn, context.requestTimeout, () => readBody(source, head, proceed));
  if (read === undefined) return closeQuietly(conn);
  const watch = new PeerWatch(conn);
  const answer = (response: Response) =>
    respond(target(context, conn, watch), response, { headOnly, http10 });
  if (read.kind === "refused") {
    return await answer(new Response(`${read.reason}\n`, { status: read.status }));
  }
  let request: Request;
  try {
    request = toRequest(head, context.secure, read.body);
  } catch {
    return await answer(badRequest()); // a Host or header value that makes no valid Request
  }
  await answer(await context.route.fallback(request)); // 500 where it throws (`routeFor`)
}

/** The interim answer to a request that expects `100-continue`. */
const continued = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

/** Writes all of `bytes` to `conn`. */
async function writeFully(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** The bytes kept from the client while `beforeUpgrade` runs (its first frames). */
const keptDuringUpgrade = 65536;

async function upgrade(exchange: Exchange): Promise<void> {
  const { context: { server, secure }, conn, source, head } = exchange;
  let badHead = false;
  const upgradeHead: UpgradeRequestHead = {
    method: head.method,
    header: (name) => head.headers.get(name) ?? null,
    toRequest: () => {
      try {
        return toRequest(head, secure, undefined);
      } catch (error) {
        badHead = true;
        throw error;
      }
    },
  };
  // A read stays under way while the core decides, to see a client that gives up meanwhile.
  const watch = new PeerWatch(conn, keptDuringUpgrade);
  let decision;
  try {
    decision = await server.prepareUpgrade(upgradeHead);
  } catch (error) {
    if (!badHead) throw error;
    decision = { accept: false as const, response: badRequest() };
  }
  const answer = (response: Response) =>
    respond(target(exchange.context, conn, watch), response, {
      headOnly: head.method === "HEAD",
      http10: head.minorVersion === 0,
    });
  if (!decision.accept) return await answer(decision.response);
  const problem = handshakeProblem(head);
  if (problem !== undefined) return await answer(problem);
  const { kept, pending, gone } = watch.handOff();
  // A client that ended its side (FIN) or left while the core decided gets no connection.
  if (gone) return closeQuietly(conn);
  const accepted = switchingProtocols(head.headers.get("sec-websocket-key")!);
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
  const buffered = source.buffered;
  const first = kept.length === 0 ? buffered : joined(buffered, kept);
  socket.start(events, first, pending);
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const whole = new Uint8Array(a.length + b.length);
  whole.set(a);
  whole.set(b, a.length);
  return whole;
}

/** The answer to a request whose Host or header values make no valid `Request`. */
function badRequest(): Response {
  return new Response("bad request\n", { status: 400 });
}
