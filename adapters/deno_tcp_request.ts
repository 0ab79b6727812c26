/**
 * The request side of `serveDenoTcp`'s HTTP/1.1: the bytes read from a connection, its
 * request head, a body for the fallback (by `content-length`, or chunked), and the standard
 * `Request` built from them.
 *
 * @example
 * ```ts
 * import { toRequest } from "./deno_tcp_request.ts";
 * import { readRequestHead } from "./websocket/http_request_head.ts";
 * const read = readRequestHead(
 *   new TextEncoder().encode("GET //other.example/a HTTP/1.1\r\nHost: app.local\r\n\r\n"),
 * );
 * // A target starting with `//` is a path on the Host, not another host.
 * if (read.kind === "head") {
 *   const request = toRequest(read, false, undefined);
 *   console.assert(request.url === "http://app.local//other.example/a");
 * }
 * ```
 * @module
 */

import { requestUrl } from "./request_url.ts";
import {
  maxRequestHeadSize,
  readRequestHead,
  type RequestHead,
  type RequestHeadResult,
} from "./websocket/http_request_head.ts";

/** The largest request body a fallback is given. */
export const maxFallbackBody = 1 << 20;

/** The longest chunk-size line (with its extensions) of a chunked request body. */
const maxChunkLine = 1024;

const latin1 = new TextDecoder("latin1");
/** A chunk's size in hex (8 digits at most) and its extensions, without control characters. */
const chunkSizeLine = /^([0-9A-Fa-f]{1,8})[ \t]*(;(?:[^\p{Cc}]|\t)*)?$/u;

/**
 * What has been read from a connection and not yet used, with more read on demand.
 *
 * @example
 * ```ts ignore
 * import { ByteSource, readHead } from "./deno_tcp_request.ts";
 * const source = new ByteSource(conn);
 * const head = await readHead(source); // the bytes after it stay in `source.buffered`
 * ```
 */
export class ByteSource {
  readonly #conn: Deno.Conn;
  #bytes = new Uint8Array(2048);
  #start = 0;
  #end = 0;

  /** Reads from `conn`. */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The bytes read and not used yet. */
  get buffered(): Uint8Array {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /** Marks the first `count` buffered bytes used. */
  consume(count: number): void {
    this.#start += count;
  }

  /** The first `count` buffered bytes, copied, and used. */
  take(count: number): Uint8Array {
    const taken = this.#bytes.slice(this.#start, this.#start + count);
    this.#start += count;
    return taken;
  }

  /** Reads once more from the connection: `false` at its end. */
  async more(): Promise<boolean> {
    if (this.#end === this.#bytes.length) {
      const length = this.#end - this.#start;
      const bytes = length * 2 > this.#bytes.length
        ? new Uint8Array(this.#bytes.length * 2)
        : this.#bytes;
      bytes.set(this.#bytes.subarray(this.#start, this.#end));
      this.#bytes = bytes;
      this.#start = 0;
      this.#end = length;
    }
    const n = await this.#conn.read(this.#bytes.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  /** Reads until `count` bytes are buffered: `false` if the connection ends first. */
  async atLeast(count: number): Promise<boolean> {
    while (this.#end - this.#start < count) if (!await this.more()) return false;
    return true;
  }
}

/** Reads until the request head is complete (consumed from `source`), or `undefined` at EOF. */
export async function readHead(
  source: ByteSource,
): Promise<Exclude<RequestHeadResult, { kind: "incomplete" }> | undefined> {
  for (;;) {
    const head = readRequestHead(source.buffered);
    if (head.kind === "head") source.consume(head.length);
    if (head.kind !== "incomplete") return head;
    if (!await source.more()) return undefined;
  }
}

/** A request body read whole, or the status that refuses it. */
export type BodyResult =
  | { readonly kind: "body"; readonly body: Uint8Array }
  | { readonly kind: "refused"; readonly status: 400 | 413 | 501; readonly reason: string };

const refused = (status: 400 | 413 | 501, reason: string): BodyResult => ({
  kind: "refused",
  status,
  reason,
});

/**
 * Reads the body of a request for the fallback: by its `content-length` (digits only), or
 * chunked (decoded; trailers dropped); at most {@link maxFallbackBody} bytes. `undefined` when
 * the connection ends first. `beforeWaiting` runs once the body is accepted and before the
 * first wait for its bytes (where `100 Continue` is sent).
 */
export async function readBody(
  source: ByteSource,
  head: RequestHead,
  beforeWaiting: () => Promise<void> = () => Promise.resolve(),
): Promise<BodyResult | undefined> {
  const coding = head.headers.get("transfer-encoding");
  const declared = head.headers.get("content-length");
  if (coding !== undefined) {
    if (declared !== undefined) return refused(400, "both content-length and transfer-encoding");
    if (coding.toLowerCase() !== "chunked") return refused(501, "transfer-encoding: chunked only");
    await beforeWaiting();
    return await readChunked(source);
  }
  if (declared === undefined) return { kind: "body", body: new Uint8Array(0) };
  if (!/^\d+$/.test(declared)) return refused(400, "bad content-length");
  const length = Number(declared);
  if (length > maxFallbackBody) return refused(413, "request body too large");
  if (source.buffered.length < length) await beforeWaiting();
  if (!await source.atLeast(length)) return undefined;
  return { kind: "body", body: source.take(length) };
}

async function readChunked(source: ByteSource): Promise<BodyResult | undefined> {
  // One buffer, doubled as the body grows: a body of many tiny chunks costs no more memory
  // than its bytes (an array per chunk would cost hundreds of bytes for each).
  let body = new Uint8Array(4096);
  let size = 0;
  for (;;) {
    const line = await readLine(source, maxChunkLine);
    if (line === undefined) return undefined;
    const match = line === null ? null : chunkSizeLine.exec(line);
    if (match === null) return refused(400, "bad chunk size");
    const chunk = parseInt(match[1], 16);
    if (chunk === 0) break;
    if (size + chunk > maxFallbackBody) return refused(413, "request body too large");
    if (!await source.atLeast(chunk + 2)) return undefined;
    if (size + chunk > body.length) body = grown(body, size, size + chunk);
    const bytes = source.buffered;
    body.set(bytes.subarray(0, chunk), size);
    if (bytes[chunk] !== 13 || bytes[chunk + 1] !== 10) return refused(400, "bad chunk");
    source.consume(chunk + 2);
    size += chunk;
  }
  // Trailer fields, dropped: lines up to an empty one, as much as a request head in all.
  for (let left = maxRequestHeadSize;;) {
    const line = await readLine(source, left);
    if (line === undefined) return undefined;
    if (line === null) return refused(400, "bad trailer");
    if (line === "") break;
    left -= line.length + 2;
  }
  return { kind: "body", body: body.slice(0, size) };
}

/** A copy of the first `used` bytes of `bytes` in a buffer (doubled) of `needed` bytes or more. */
function grown(bytes: Uint8Array, used: number, needed: number): Uint8Array<ArrayBuffer> {
  let length = bytes.length;
  while (length < needed) length *= 2;
  const larger = new Uint8Array(Math.min(length, maxFallbackBody));
  larger.set(bytes.subarray(0, used));
  return larger;
}

/** The next line (consumed, without its CRLF); `null` when longer than `limit`; EOF `undefined`. */
async function readLine(source: ByteSource, limit: number): Promise<string | null | undefined> {
  for (let from = 0;;) {
    const bytes = source.buffered;
    const end = bytes.indexOf(10, from);
    if (end !== -1) {
      if (end === 0 || bytes[end - 1] !== 13 || end - 1 > limit) return null;
      const line = latin1.decode(bytes.subarray(0, end - 1));
      source.consume(end + 1);
      return line;
    }
    if (bytes.length > limit + 1) return null;
    from = bytes.length;
    if (!await source.more()) return undefined;
  }
}

/**
 * The standard `Request` for a request head (and body, for methods other than GET and HEAD).
 * Throws a `TypeError` when the Host and target make no valid URL or a header value is one that
 * `Headers` refuses (such as one holding a bare LF): the caller answers 400.
 */
export function toRequest(
  head: RequestHead,
  secure: boolean,
  body: Uint8Array | undefined,
): Request {
  const headers = new Headers();
  for (const [name, value] of head.headers) headers.set(name, value);
  const withBody = body !== undefined && head.method !== "GET" && head.method !== "HEAD";
  const scheme = secure ? "https" : "http";
  return new Request(requestUrl(scheme, head.headers.get("host") ?? "localhost", head.target), {
    method: head.method,
    headers,
    body: withBody ? body as Uint8Array<ArrayBuffer> : undefined,
  });
}
