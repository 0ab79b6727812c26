/**
 * Between Node's `http` and the standard `Request` / `Response` that the core and a fallback
 * handler speak: reading a Node request as a `Request`, writing a `Response` to Node's response
 * (or, for an upgrade that is refused, as raw HTTP/1.1 to its socket). Internal to the Node
 * adapter.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { toRequest, writeResponse } from "./node_http.ts";
 * createServer(async (request, response) => {
 *   const standard = toRequest(request);
 *   await writeResponse(new Response(`you asked for ${new URL(standard.url).pathname}`), response);
 * });
 * ```
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import { type Duplex, Readable } from "node:stream";
import type { Route } from "./route.ts";
import { requestUrl } from "./request_url.ts";
import { BodyPipe, type BodyStart, endWithBody } from "./node_body.ts";

/** A header of Node's request by its lower-case name; repeated ones joined with ", ". */
export function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * A standard `Request` with the method, URL and headers of Node's request and, with
 * `withBody`, its body as a stream (the core's decision never needs a body).
 */
export function toRequest(request: IncomingMessage, withBody = false): Request {
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = request.method ?? "GET";
  const body = withBody && method !== "GET" && method !== "HEAD" ? lazyBody(request) : undefined;
  // Node's fetch needs `duplex` for a streamed body.
  const init: RequestInit & { duplex?: "half" } = { method, headers, body, duplex: "half" };
  const scheme = encrypted ? "https" : "http";
  return new Request(
    requestUrl(scheme, request.headers.host ?? "localhost", request.url ?? "/"),
    init,
  );
}

/** Set on a Node request once its body has been asked for. */
const bodyRead = Symbol("body read");

/**
 * Discards the rest of a request body that nobody read, so that the next request of that
 * keep-alive connection is parsed (Deno's `node:http` does not do it by itself).
 */
function discardUnreadBody(request: IncomingMessage & { [bodyRead]?: true }): void {
  if (request.complete) return;
  // A body read in part: its stream's listener would queue the rest for nobody; drop it.
  if (request[bodyRead] === true) request.removeAllListeners("data");
  request.resume();
}

/**
 * Discards what nobody read of `request`'s body once `response` is written, so that the next
 * request of that keep-alive connection is answered: Node does that by itself, Deno's
 * `node:http` does not (a large body stalls the connection).
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { discardBodyWhenAnswered } from "./node_http.ts";
 * createServer((request, response) => {
 *   discardBodyWhenAnswered(request, response);
 *   response.statusCode = 426;
 *   response.end(); // the body is never read
 * });
 * ```
 */
export function discardBodyWhenAnswered(request: IncomingMessage, response: ServerResponse): void {
  response.once("finish", () => discardUnreadBody(request));
}

/**
 * The request's body as a stream that starts reading Node's request only when it is read:
 * `Readable.toWeb` would take the request at once, and `node:http` never discards the body of
 * a request taken (a fallback that answers without reading it would stall the next request
 * on that keep-alive connection). A body never read is discarded by `node:http`, as usual.
 */
function lazyBody(request: IncomingMessage & { [bodyRead]?: true }): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const started = () => {
    request[bodyRead] = true;
    return reader ??= (Readable.toWeb(request) as unknown as ReadableStream<Uint8Array>)
      .getReader();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await started().read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    // Not the Node stream's cancel (it destroys the request, and the connection stalls): the
    // rest is discarded, and the next request of the connection is parsed.
    cancel: () => {
      request[bodyRead] = true;
      discardUnreadBody(request);
    },
  }, { highWaterMark: 0 });
}

/**
 * Answers a Node request with the route's fallback `Response`, streaming both bodies. A body
 * that fails at once is the route's 500; one that fails later is cut (the client
 * sees a reset) and logged by the route.
 */
export async function respond(
  route: Route,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  discardBodyWhenAnswered(request, response);
  try {
    const refusal = hostProblem(request);
    if (refusal !== undefined) return await writeResponse(refusal, response);
    let standard: Request;
    try {
      standard = toRequest(request, true);
    } catch {
      // A host and target that make no valid URL: 400, as for the WebWire endpoint.
      return await writeResponse(badRequest(), response);
    }
    await writeResponse(await route.fallback(standard), response, route.failed);
  } catch (error) {
    // Once the head is out, ending would pass a cut body off as whole: the client sees a reset.
    if (response.headersSent) {
      if (!response.destroyed) route.bodyFailed(error);
      return void response.destroy();
    }
    response.statusCode = 500;
    response.end();
  }
}

/**
 * The 400 for a request that does not name exactly one Host (RFC 9112, 3.2; an HTTP/1.0 request
 * may name none), or `undefined`. `node:http` checks neither an upgrade (handed over before its
 * own check) nor a second Host on any request (it keeps the first, where a proxy in front may
 * have routed by the other). A request line of another major version is left to the handshake.
 *
 * @example
 * ```ts ignore
 * import { hostProblem } from "./node_http.ts";
 * // In a `request` or `upgrade` listener, before anything reads the request's URL:
 * const refusal = hostProblem(request); // 400 for `Host: a` and `Host: b`
 * ```
 */
export function hostProblem(request: IncomingMessage): Response | undefined {
  let hosts = 0;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === "host") hosts++;
  if (hosts === 1 || request.httpVersionMajor !== 1) return undefined;
  if (hosts === 0 && request.httpVersionMinor === 0) return undefined;
  return new Response("one Host header field needed\n", {
    status: 400,
    headers: { connection: "close" },
  });
}

/**
 * The answer to a request whose host and target make no valid URL.
 *
 * @example
 * ```ts
 * import { badRequest } from "./node_http.ts";
 * console.assert(badRequest().status === 400);
 * ```
 */
export function badRequest(): Response {
  return new Response("bad request\n", { status: 400 });
}

/**
 * Writes a standard `Response` to Node's, streaming the body with backpressure. What the body
 * has at once (up to 64 KiB) goes out in one write: the whole body with a content-length when
 * that is all of it. Otherwise the head leaves with what is there and the rest is streamed
 * (chunked) as it comes, so that an event stream's first events reach the client at once; the
 * body is cancelled when the response closes (the client left, or the server closed it). Given
 * `failed`, a body that fails at once is answered with `failed(error)` instead.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { writeResponse } from "./node_http.ts";
 * // Server-sent events: the first one leaves at once, the next ones as they are enqueued.
 * createServer((_request, response) => {
 *   const events = new ReadableStream<Uint8Array>({
 *     start: (controller) => controller.enqueue(new TextEncoder().encode("data: hello\n\n")),
 *   });
 *   void writeResponse(new Response(events), response);
 * });
 * ```
 */
export async function writeResponse(
  reply: Response,
  response: ServerResponse,
  failed?: (error: unknown) => Response,
): Promise<void> {
  if (reply.body === null) {
    headOf(reply, response);
    return void response.end();
  }
  // Deno's `node:http` never counts a connection idle again after a chunked response: `close`
  // handles that.
  const pipe = new BodyPipe(reply.body, response);
  try {
    let start: BodyStart;
    try {
      start = await pipe.start();
    } catch (error) {
      if (failed === undefined || response.destroyed) throw error;
      pipe.cancel();
      return await writeResponse(failed(error), response); // nothing was sent: the answer
    }
    headOf(reply, response);
    const { chunks, size, done } = start;
    if (done) {
      // Set here, not by Node: it leaves it out of the answer to a HEAD request.
      if (!response.hasHeader("content-length")) response.setHeader("content-length", size);
      return endWithBody(response, start);
    }
    for (const chunk of chunks) response.write(chunk);
    if (chunks.length === 0) response.flushHeaders();
    await pipe.rest();
  } finally {
    pipe.release();
  }
}

/** Puts the status and headers of `reply` on `response`. */
function headOf(reply: Response, response: ServerResponse): void {
  response.statusCode = reply.status;
  if (reply.statusText !== "") response.statusMessage = reply.statusText;
  reply.headers.forEach((value, name) => response.appendHeader(name, value));
}

/**
 * Writes a `Response` as raw HTTP/1.1 to a socket that was not upgraded, then closes it once
 * the client has ended its side too (or after 2 s); with `headOnly` (the answer to a HEAD
 * request) without the body. A body made in memory goes with its `content-length`; one that
 * waits for something (an event stream) is streamed as it comes with backpressure, delimited by
 * the connection's close, and cancelled when the socket closes. Given `failed`, a body that
 * fails at once is answered with `failed(error)`.
 */
export async function writeRaw(
  socket: Duplex,
  response: Response,
  headOnly = false,
  failed?: (error: unknown) => Response,
): Promise<void> {
  const reason = response.statusText || STATUS_CODES[response.status] || "";
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection" && name !== "transfer-encoding") {
      head += `${name}: ${value}\r\n`;
    }
  });
  if (!socket.writable) {
    void response.body?.cancel().catch(() => {});
    return void socket.destroy();
  }
  const ender = () => closeWhenClientDone(socket);
  socket.once("finish", ender);
  if (response.body === null) return void socket.end(`${head}${lengthAndClose(0)}`);
  const pipe = new BodyPipe(response.body, socket);
  try {
    let start: BodyStart;
    try {
      start = await pipe.start();
    } catch (error) {
      if (failed === undefined || socket.destroyed) throw error;
      pipe.cancel();
      socket.off("finish", ender);
      return await writeRaw(socket, failed(error), headOnly); // nothing was sent: the answer
    }
    const { chunks, size, done } = start;
    if (socket.destroyed) return;
    if (done) {
      socket.write(`${head}${lengthAndClose(size)}`);
      return headOnly ? void socket.end() : endWithBody(socket, start);
    }
    socket.write(`${head}connection: close\r\n\r\n`);
    if (headOnly) {
      pipe.cancel();
      return void socket.end();
    }
    for (const chunk of chunks) socket.write(chunk);
    await pipe.rest();
  } finally {
    pipe.release();
  }
}

/** How long a client may take to end its side after a raw answer (see `closeWhenClientDone`). */
const lingerMs = 2000;

/**
 * Closes `socket` once its answer and FIN are out and the client has ended its side too, or
 * after {@link lingerMs}; what the client still sends meanwhile is read and dropped. Closing at
 * once with its bytes unread would reset the connection, and a reset can destroy the answer
 * before the client reads it (`serveDenoTcp` lingers the same way).
 */
function closeWhenClientDone(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  socket.once("end", () => socket.destroy());
  socket.once("close", () => clearTimeout(timer));
  socket.resume();
}

function lengthAndClose(length: number): string {
  return `content-length: ${length}\r\nconnection: close\r\n\r\n`;
}
