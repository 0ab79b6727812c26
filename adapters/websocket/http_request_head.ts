/**
 * The head of an HTTP/1.1 request (request line and header fields, RFC 9112) read from the
 * first bytes of a TCP connection, for a server that upgrades to WebSocket on its own socket.
 *
 * @example
 * ```ts
 * import { readRequestHead } from "./http_request_head.ts";
 * const bytes = new TextEncoder().encode(
 *   "GET /ws?room=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\n",
 * );
 * const head = readRequestHead(bytes);
 * console.assert(head.kind === "head" && head.target === "/ws?room=1");
 * console.assert(head.kind === "head" && head.headers.get("upgrade") === "websocket");
 * ```
 * @module
 */

/** The largest request head taken, in bytes; a larger one is refused with 431. */
export const maxRequestHeadSize = 16384;

/**
 * A request head read whole: `length` is its size in bytes, including the blank line (the
 * request's body or first frames follow).
 *
 * @example
 * ```ts
 * import type { RequestHead } from "./http_request_head.ts";
 * const head: RequestHead = {
 *   kind: "head",
 *   method: "GET",
 *   target: "/",
 *   headers: new Map([["host", "localhost"]]),
 *   length: 37,
 * };
 * console.assert(head.headers.get("host") === "localhost");
 * ```
 */
export interface RequestHead {
  readonly kind: "head";
  /** The method, as sent (methods are case-sensitive). */
  readonly method: string;
  /** The request target: a path with its query, such as `/ws?x=1`. */
  readonly target: string;
  /** Header values by lower-case name; a repeated field's values joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes of the head, blank line included. */
  readonly length: number;
  /** The request line's major version, `x` of `HTTP/x.y`; default 1. */
  readonly majorVersion?: number;
  /** The request line's minor version, `x` of `HTTP/1.x` (0: an HTTP/1.0 client); default 1. */
  readonly minorVersion?: number;
}

/**
 * What {@link readRequestHead} found.
 *
 * @example
 * ```ts
 * import { readRequestHead, type RequestHeadResult } from "./http_request_head.ts";
 * const result: RequestHeadResult = readRequestHead(new TextEncoder().encode("GET / HTT"));
 * console.assert(result.kind === "incomplete");
 * ```
 */
export type RequestHeadResult =
  | RequestHead
  | { readonly kind: "incomplete" }
  | { readonly kind: "invalid"; readonly status: 400 | 431 | 505; readonly reason: string };

const latin1 = new TextDecoder("latin1");
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A LF not preceded by a CR. */
const bareLf = /(?:^|[^\r])\n/;

/**
 * Reads a request head from the start of `bytes`: the head, `incomplete` when its blank line
 * has not arrived yet (and the bytes are still under {@link maxRequestHeadSize}), or `invalid`
 * with the status to answer.
 *
 * @example
 * ```ts
 * import { readRequestHead } from "./http_request_head.ts";
 * const result = readRequestHead(new TextEncoder().encode("GET / HTTP/2.0\r\n\r\n"));
 * console.assert(result.kind === "invalid" && result.status === 505);
 * ```
 */
export function readRequestHead(bytes: Uint8Array): RequestHeadResult {
  // RFC 9112, 2.2: empty lines before the request line are ignored, as `node:http` and
  // `Deno.serve` ignore them; they count toward the head's size.
  let start = 0;
  while (start + 1 < bytes.length && bytes[start] === 13 && bytes[start + 1] === 10) start += 2;
  if (start > 0) {
    const rest = readRequestHead(bytes.subarray(start));
    if (rest.kind === "head") return { ...rest, length: rest.length + start };
    if (rest.kind === "incomplete" && bytes.length >= maxRequestHeadSize) {
      return { kind: "invalid", status: 431, reason: "request head too large" };
    }
    return rest;
  }
  const end = headEnd(bytes);
  // A CR that is not part of a CRLF is refused at once, as `node:http` refuses it: a reader
  // that took it for a line end would see other header fields than one that did not.
  if (end === bareCrFound) {
    return { kind: "invalid", status: 400, reason: "a CR not followed by LF" };
  }
  if (end === -1) {
    return bytes.length >= maxRequestHeadSize
      ? { kind: "invalid", status: 431, reason: "request head too large" }
      : { kind: "incomplete" };
  }
  if (end > maxRequestHeadSize) {
    return { kind: "invalid", status: 431, reason: "request head too large" };
  }
  const text = latin1.decode(bytes.subarray(0, end));
  // A line ended by a bare LF is refused, as `node:http` refuses it (a lenient reading of one
  // would read such a head differently from a proxy in front that reads it strictly).
  if (bareLf.test(text)) {
    return { kind: "invalid", status: 400, reason: "a line ending in bare LF" };
  }
  const lines = text.slice(0, -4).split("\r\n");
  const requestLine = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d)\.(\d)$/.exec(lines[0]);
  // No control character in the target either (`node:http` and `Deno.serve` refuse them).
  if (requestLine === null || hasControlCharacter(requestLine[2])) {
    return { kind: "invalid", status: 400, reason: "bad request line" };
  }
  if (requestLine[3] !== "1") {
    return { kind: "invalid", status: 505, reason: "HTTP/1.x only" };
  }
  const headers = new Map<string, string>();
  let hosts = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!token.test(name)) return { kind: "invalid", status: 400, reason: "bad header field" };
    const key = name.toLowerCase();
    if (key === "host") hosts++;
    const raw = line.slice(colon + 1);
    // As `node:http` and `Deno.serve` refuse them: a NUL or other control character (not tab),
    // also at either end (where `trim` would take VT and FF away).
    if (hasControlCharacter(raw)) {
      return { kind: "invalid", status: 400, reason: "a control character in a header value" };
    }
    const value = raw.replace(/^[ \t]+|[ \t]+$/g, ""); // optional whitespace: spaces, tabs
    const earlier = headers.get(key);
    headers.set(key, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  // RFC 9112, 3.2: an HTTP/1.1 request names exactly one Host (HTTP/1.0 may leave it out).
  if (hosts > 1 || (hosts === 0 && requestLine[4] !== "0")) {
    return { kind: "invalid", status: 400, reason: "one Host header field needed" };
  }
  return {
    kind: "head",
    method: requestLine[1],
    target: requestLine[2],
    headers,
    length: end,
    minorVersion: Number(requestLine[4]),
  };
}

/** Whether `value` holds a control character other than tab, which no header value may. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** What {@link headEnd} returns for a CR followed by anything but LF. */
const bareCrFound = -2;

/**
 * The index just past the blank line that ends the head, or -1: the first `\r\n\r\n`, or the
 * first empty line of bare LFs (`\n\n`, `\n\r\n`), which `readRequestHead` refuses. Before
 * that, a CR followed by another byte than LF gives {@link bareCrFound}; a CR that ends the
 * bytes read so far may be the first half of a CRLF split between two reads, and is waited on.
 */
function headEnd(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length, maxRequestHeadSize + 4);
  for (let i = 1; i < limit; i++) {
    if (bytes[i - 1] === 13 && bytes[i] !== 10) return bareCrFound;
    if (bytes[i] !== 10) continue;
    if (bytes[i - 1] === 10 || (i >= 2 && bytes[i - 1] === 13 && bytes[i - 2] === 10)) {
      return i + 1;
    }
  }
  return -1;
}
