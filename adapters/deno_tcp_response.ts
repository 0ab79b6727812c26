/**
 * The response side of `serveDenoTcp`'s HTTP/1.1: one `Response` written to a connection that
 * then closes. What the body has at once (up to 64 KiB) leaves in one write, with a
 * `content-length` when that is all of it; otherwise the head leaves at once with what is there
 * and the rest follows as it comes, chunked (the body ends where the connection does for an
 * HTTP/1.0 client), so that a server-sent event stream's events arrive as they are produced.
 * What was there at once is written whatever the client does; a body that streams on is
 * cancelled when the client leaves (its FIN or a reset), when the connection is closed
 * (`running.close()`), or when a write makes no progress for `writeTimeout` ms (a client that
 * does not read is dropped then).
 *
 * @example
 * ```ts
 * import { respond } from "./deno_tcp_response.ts";
 * import { PeerWatch } from "./deno_tcp_peer_watch.ts";
 * import { routeFor } from "./route.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = await listener.accept();
 * const target = { conn, watch: new PeerWatch(conn), writeTimeout: 1000, route: routeFor({}) };
 * const written = respond(target, new Response("hi"));
 * const bytes = new Uint8Array(256);
 * const n = await client.read(bytes);
 * console.assert(new TextDecoder().decode(bytes.subarray(0, n!)).endsWith("\r\n\r\nhi"));
 * client.close();
 * await written;
 * listener.close();
 * ```
 * @module
 */

import type { Route } from "./route.ts";
import type { PeerWatch } from "./deno_tcp_peer_watch.ts";
import { concatBytes } from "./concat_bytes.ts";
import { atOnceLimit, readAtOnce } from "./settled_at_once.ts";
import { startTimeout } from "./timeout_option.ts";
import { responseHead } from "./websocket/handshake.ts";

/** The most written in one `write`: each must make progress within `writeTimeout`. */
const writeSlice = 65536;
/** How long the client's own close is waited for after the response (see {@link respond}). */
const lingerMs = 2000;
const lastChunk = new TextEncoder().encode("0\r\n\r\n");

/**
 * Where {@link respond} writes, and how.
 *
 * @example
 * ```ts ignore
 * import type { ResponseTarget } from "./deno_tcp_response.ts";
 * import { PeerWatch } from "./deno_tcp_peer_watch.ts";
 * import { routeFor } from "./route.ts";
 * const target: ResponseTarget = {
 *   conn,
 *   watch: new PeerWatch(conn),
 *   writeTimeout: 10_000,
 *   route: routeFor({}),
 * };
 * ```
 */
export interface ResponseTarget {
  /** The connection, closed once the response is written (or given up). */
  readonly conn: Deno.Conn;
  /** The read that sees the client leave. */
  readonly watch: PeerWatch;
  /** Milliseconds a write may make no progress before the connection is dropped (or Infinity). */
  readonly writeTimeout: number;
  /**
   * What answers a body that fails at once (`failed`), and reports one that fails
   * later (`bodyFailed`): the route's.
   */
  readonly route: Pick<Route, "failed" | "bodyFailed">;
}

/**
 * Writes `response` as described in the module documentation, then shuts the write side and
 * closes once the client is done (or after 2 s): closing with unread bytes would reset the
 * connection, and a reset can destroy the response before the client reads it.
 *
 * @param options.headOnly the answer to a HEAD request: the head only (the body is cancelled).
 * @param options.http10 the client speaks HTTP/1.0: no chunked body.
 */
export async function respond(
  target: ResponseTarget,
  response: Response,
  options: { headOnly?: boolean; http10?: boolean } = {},
): Promise<void> {
  const { conn, watch } = target;
  watch.discard();
  if (!await writeResponse(target, response, options)) return closeQuietly(conn);
  try {
    await conn.closeWrite();
  } catch {
    return closeQuietly(conn);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([watch.gone, new Promise((resolve) => timer = setTimeout(resolve, lingerMs))]);
  clearTimeout(timer);
  closeQuietly(conn);
}

/** Writes the whole response: `false` when it was given up (the body is cancelled then). */
async function writeResponse(
  target: ResponseTarget,
  response: Response,
  { headOnly = false, http10 = false }: { headOnly?: boolean; http10?: boolean },
): Promise<boolean> {
  if (response.body === null) return await writeAll(target, responseHead(response, 0));
  const reader = response.body.getReader();
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    reader.cancel().catch(() => {});
  };
  // A read left pending when the body is cancelled settles unobserved: never unhandled.
  const read = () => {
    const pending = reader.read();
    pending.catch(() => {});
    return pending;
  };
  let headSent = false;
  try {
    const start = await readAtOnce(read, () => cancelled);
    const { chunks: parts, size } = start;
    let next = start.next;
    if (start.done) {
      const head = responseHead(response, size);
      if (headOnly) return await writeAll(target, head);
      // A small body in one write with its head; a large one (made in memory) not copied.
      if (size <= atOnceLimit) return await writeAll(target, concatBytes([head, ...parts]));
      for (const bytes of [head, ...parts]) if (!await writeAll(target, bytes)) return false;
      return true;
    }
    if (cancelled) return false;
    headSent = true; // from here, a failure cuts what was sent
    const chunked = !http10;
    const head = responseHead(response, chunked ? "chunked" : "close");
    if (headOnly) {
      cancel();
      return await writeAll(target, head);
    }
    if (size <= atOnceLimit) {
      // The head and what is there so far (an event stream's first events) in one write.
      const first = chunked ? parts.flatMap(chunkParts) : parts;
      if (!await writeAll(target, concatBytes([head, ...first]))) return cancel(), false;
    } else {
      if (!await writeAll(target, head)) return cancel(), false;
      for (const part of parts) {
        if (!await writeChunk(target, part, chunked)) return cancel(), false;
      }
    }
    // From here the body streams: a client that has ended its side (FIN) or left stops it. What
    // was there at once went out whatever the client did (one that half-closes after its request
    // still reads the answer).
    if (target.watch.isGone) return cancel(), false;
    void target.watch.gone.then(cancel);
    for (;;) {
      const result = await next;
      if (cancelled) return false;
      if (result.done) return !chunked || await writeAll(target, lastChunk);
      if (!await writeChunk(target, result.value, chunked)) return cancel(), false;
      next = read();
    }
  } catch (error) {
    // The body failed (a write never throws). Before the head was sent the answer is the route's
    // 500; after, the client sees the response cut short.
    const given = cancelled;
    cancel();
    if (given) return false;
    if (!headSent) {
      return await writeResponse(target, target.route.failed(error), { headOnly, http10 });
    }
    target.route.bodyFailed(error);
    return false;
  }
}

/** Writes one chunk of a streamed body; a large one without copying it. */
async function writeChunk(
  target: ResponseTarget,
  chunk: Uint8Array,
  chunked: boolean,
): Promise<boolean> {
  if (!chunked || chunk.length === 0) return await writeAll(target, chunk);
  const [size, data, end] = chunkParts(chunk);
  if (chunk.length <= writeSlice) return await writeAll(target, concatBytes([size, data, end]));
  return await writeAll(target, size) && await writeAll(target, data) &&
    await writeAll(target, end);
}

const crlf = new Uint8Array([13, 10]);

/** A chunk of a chunked body: its size line, its bytes, its CRLF (none for an empty one). */
function chunkParts(chunk: Uint8Array): Uint8Array[] {
  if (chunk.length === 0) return [];
  return [new TextEncoder().encode(`${chunk.length.toString(16)}\r\n`), chunk, crlf];
}

/**
 * Writes all of `bytes`: `false` when the connection failed or is closed. A write that makes no
 * progress for `writeTimeout` ms closes the connection.
 */
async function writeAll(target: ResponseTarget, bytes: Uint8Array): Promise<boolean> {
  const { conn, writeTimeout } = target;
  try {
    for (let at = 0; at < bytes.length;) {
      const timer = startTimeout(writeTimeout, () => closeQuietly(conn));
      try {
        at += await conn.write(bytes.subarray(at, at + writeSlice));
      } finally {
        clearTimeout(timer);
      }
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Closes `conn`, if it is not closed already.
 *
 * @example
 * ```ts
 * import { closeQuietly } from "./deno_tcp_response.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * closeQuietly(client);
 * closeQuietly(client); // closed already: nothing happens
 * listener.close();
 * ```
 */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
