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
import { Buffer } from "node:buffer";
import type { FallbackHandler } from "./route.ts";

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
  const base = `${encrypted ? "https" : "http"}://${request.headers.host ?? "localhost"}`;
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = request.method ?? "GET";
  const body = withBody && method !== "GET" && method !== "HEAD"
    ? Readable.toWeb(request) as unknown as ReadableStream<Uint8Array>
    : undefined;
  // Node's fetch needs `duplex` for a streamed body.
  const init: RequestInit & { duplex?: "half" } = { method, headers, body, duplex: "half" };
  return new Request(new URL(request.url ?? "/", base), init);
}

/** Answers a Node request with the fallback's `Response`, streaming both bodies. */
export async function respond(
  fallback: FallbackHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    await writeResponse(await fallback(toRequest(request, true)), response);
  } catch {
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  }
}

/** Writes a standard `Response` to Node's, streaming the body with backpressure. */
export async function writeResponse(reply: Response, response: ServerResponse): Promise<void> {
  response.statusCode = reply.status;
  if (reply.statusText !== "") response.statusMessage = reply.statusText;
  reply.headers.forEach((value, name) => response.appendHeader(name, value));
  if (reply.body === null) return void response.end();
  // A body of up to 64 KiB goes out whole, with a content-length; a longer one is streamed
  // (chunked), as it comes. Deno's `node:http` never counts a connection idle again after a
  // chunked response: `close` handles that.
  const reader = reply.body.getReader();
  try {
    const head: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return void response.end(Buffer.concat(head, size));
      head.push(value);
      size += value.byteLength;
      if (size > 65536) break;
    }
    for (const chunk of head) response.write(chunk);
    for (;;) {
      if (response.writableNeedDrain) await drained(response);
      if (response.destroyed) return void reader.cancel().catch(() => {});
      const { done, value } = await reader.read();
      if (done) return void response.end();
      response.write(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/** Resolves when `response` can take more, or is gone. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

/** Writes a `Response` as raw HTTP/1.1 to a socket that was not upgraded, then closes it. */
export async function writeRaw(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const reason = response.statusText || STATUS_CODES[response.status] || "";
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") head += `${name}: ${value}\r\n`;
  });
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  if (!socket.writable) return void socket.destroy();
  socket.once("finish", () => socket.destroy());
  socket.write(head);
  socket.end(body);
}
