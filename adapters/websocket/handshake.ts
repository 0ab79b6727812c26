/**
 * The server's side of the WebSocket opening handshake (RFC 6455, section 4.2): checking a
 * client's upgrade request, the `101 Switching Protocols` answer, and any other answer written
 * as raw HTTP/1.1.
 *
 * @example
 * ```ts
 * import { switchingProtocols } from "./handshake.ts";
 * // The key and accept value of RFC 6455's own example.
 * const head = new TextDecoder().decode(switchingProtocols("dGhlIHNhbXBsZSBub25jZQ=="));
 * console.assert(head.includes("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
 * ```
 * @module
 */

import type { RequestHead } from "./http_request_head.ts";
import { sha1 } from "./sha1.ts";

const acceptSuffix = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Why an upgrade request cannot become a WebSocket, as the response to send; `undefined` when
 * it can (HTTP/1.1, method GET, `connection: upgrade`, version 13, a 16-byte key and no body:
 * no `transfer-encoding`, a `content-length` absent or 0). An
 * HTTP/1.0 request gets 400 (RFC 6455 asks for HTTP/1.1 or higher), another major version than
 * 1 gets 505, as `readRequestHead` answers it.
 *
 * @example
 * ```ts
 * import { handshakeProblem } from "./handshake.ts";
 * const headers = new Map([
 *   ["upgrade", "websocket"],
 *   ["connection", "keep-alive, Upgrade"],
 *   ["sec-websocket-version", "8"],
 *   ["sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="],
 * ]);
 * const problem = handshakeProblem({ kind: "head", method: "GET", target: "/", headers, length: 0 });
 * console.assert(problem?.status === 426);
 * console.assert(problem?.headers.get("sec-websocket-version") === "13");
 * ```
 */
export function handshakeProblem(head: RequestHead): Response | undefined {
  const bad = (text: string) => new Response(`${text}\n`, { status: 400 });
  if ((head.majorVersion ?? 1) !== 1) {
    return new Response("HTTP/1.x only\n", { status: 505 });
  }
  if ((head.minorVersion ?? 1) < 1) return bad("a WebSocket upgrade needs HTTP/1.1");
  if (head.method !== "GET") {
    return new Response("a WebSocket upgrade must be a GET\n", {
      status: 405,
      headers: { allow: "GET, OPTIONS" },
    });
  }
  // A body would be read as the first frames (a request smuggled past a proxy that reads it).
  const length = head.headers.get("content-length");
  if (head.headers.has("transfer-encoding") || (length !== undefined && length !== "0")) {
    return bad("an upgrade request has no body");
  }
  const connection = head.headers.get("connection") ?? "";
  if (!connection.split(",").some((option) => option.trim().toLowerCase() === "upgrade")) {
    return bad("missing connection: upgrade");
  }
  if (head.headers.get("sec-websocket-version") !== "13") {
    return new Response("WebSocket version 13 only\n", {
      status: 426,
      headers: { "sec-websocket-version": "13" },
    });
  }
  if (!isKey(head.headers.get("sec-websocket-key"))) return bad("bad sec-websocket-key");
  const protocols = head.headers.get("sec-websocket-protocol");
  if (protocols !== undefined && protocols !== null && !isProtocolList(protocols)) {
    return bad("bad sec-websocket-protocol");
  }
  return undefined;
}

/**
 * A standard `Request` as the head that {@link handshakeProblem} checks (its URL as the
 * target), for the adapters that get a `Request` from their runtime (Deno, Bun, Hono).
 *
 * @example
 * ```ts
 * import { handshakeProblem, requestHead } from "./handshake.ts";
 * const request = new Request("http://localhost/ws", {
 *   headers: { upgrade: "websocket", connection: "keep-alive" },
 * });
 * console.assert(handshakeProblem(requestHead(request))?.status === 400);
 * ```
 */
export function requestHead(request: Request): RequestHead {
  const headers = new Map(request.headers);
  return { kind: "head", method: request.method, target: request.url, headers, length: 0 };
}

/**
 * The `sec-websocket-accept` value that answers a `sec-websocket-key` (RFC 6455, 4.2.2).
 *
 * @example
 * ```ts
 * import { acceptFor } from "./handshake.ts";
 * console.assert(acceptFor("dGhlIHNhbXBsZSBub25jZQ==") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export function acceptFor(key: string): string {
  return btoa(String.fromCharCode(...sha1(key + acceptSuffix)));
}

/**
 * The `101 Switching Protocols` response head for a client's `sec-websocket-key`.
 *
 * @example
 * ```ts
 * import { switchingProtocols } from "./handshake.ts";
 * const head = new TextDecoder().decode(switchingProtocols("dGhlIHNhbXBsZSBub25jZQ=="));
 * console.assert(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
 * ```
 */
export function switchingProtocols(key: string): Uint8Array {
  const accept = acceptFor(key);
  return new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
      `sec-websocket-accept: ${accept}\r\n\r\n`,
  );
}

/**
 * A whole `Response` as the bytes of an HTTP/1.1 response that ends the connection: the
 * status line, the headers, `content-length`, `connection: close` and the body.
 *
 * @example
 * ```ts
 * import { responseBytes } from "./handshake.ts";
 * const bytes = await responseBytes(new Response("not found\n", { status: 404 }));
 * const text = new TextDecoder().decode(bytes);
 * console.assert(text.startsWith("HTTP/1.1 404 Not Found\r\n"));
 * console.assert(text.endsWith("content-length: 10\r\nconnection: close\r\n\r\nnot found\n"));
 * ```
 *
 * @param headOnly leaves the body out (the answer to a HEAD request) but keeps its length.
 */
export async function responseBytes(response: Response, headOnly = false): Promise<Uint8Array> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headBytes = responseHead(response, body.length);
  if (headOnly || body.length === 0) return headBytes;
  const whole = new Uint8Array(headBytes.length + body.length);
  whole.set(headBytes);
  whole.set(body, headBytes.length);
  return whole;
}

/**
 * The head of an HTTP/1.1 response that ends the connection, for a body of `length` bytes
 * (`content-length`), or sent as it comes: `"chunked"` (`transfer-encoding: chunked`) or
 * `"close"` (the body ends where the connection does, for an HTTP/1.0 client). The response's
 * own `content-length`, `transfer-encoding` and `connection` headers are replaced.
 *
 * @example
 * ```ts
 * import { responseHead } from "./handshake.ts";
 * const events = new Response(new ReadableStream(), {
 *   headers: { "content-type": "text/event-stream" },
 * });
 * const head = new TextDecoder().decode(responseHead(events, "chunked"));
 * console.assert(head.startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"));
 * console.assert(head.endsWith("transfer-encoding: chunked\r\nconnection: close\r\n\r\n"));
 * ```
 */
export function responseHead(response: Response, length: number | "chunked" | "close"): Uint8Array {
  const reason = response.statusText || reasonPhrases[response.status] || "";
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection" && name !== "transfer-encoding") {
      head += `${name}: ${value}\r\n`;
    }
  });
  if (typeof length === "number") head += `content-length: ${length}\r\n`;
  else if (length === "chunked") head += "transfer-encoding: chunked\r\n";
  head += "connection: close\r\n\r\n";
  return new TextEncoder().encode(head);
}

/** A base64 value that decodes to 16 bytes. */
function isKey(key: string | undefined | null): boolean {
  return key !== undefined && key !== null && /^[A-Za-z0-9+/]{22}==$/.test(key);
}

/** A `sec-websocket-protocol` value: tokens (RFC 7230) separated by commas, none twice. */
function isProtocolList(value: string): boolean {
  const names = value.split(",").map((name) => name.trim());
  return names.every((name) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) &&
    new Set(names).size === names.length;
}

/** Reason phrases of the statuses a WebWire endpoint or a small fallback answers with. */
const reasonPhrases: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  411: "Length Required",
  413: "Content Too Large",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};
