/**
 * One raw HTTP/1.1 request on a new TCP connection to 127.0.0.1, and the server's answer to it:
 * for testing how a server answers a malformed WebSocket upgrade request, byte for byte, whether
 * it keeps the connection open (as `Deno.serve` and `Bun.serve` do) or closes it. Runs on Node,
 * Deno and Bun.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { AddressInfo } from "node:net";
 * import { rawAnswer, upgradeRequest } from "./raw_answer.ts";
 * const http = createServer((_request, response) => response.end("hi"));
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const port = (http.address() as AddressInfo).port;
 * const answer = await rawAnswer(port, upgradeRequest({ method: "HEAD" }));
 * console.assert(answer.status === 200 && answer.body === "");
 * await new Promise((resolve) => http.close(resolve));
 * ```
 * @module
 */

import { RawHttpPeer } from "./raw_http_peer.ts";
import { until } from "./until.ts";

/**
 * What {@link upgradeRequest} changes in a valid upgrade request.
 *
 * @example
 * ```ts
 * import type { UpgradeRequestOptions } from "./raw_answer.ts";
 * const options: UpgradeRequestOptions = { set: { Connection: "keep-alive" } };
 * console.assert(options.method === undefined);
 * ```
 */
export interface UpgradeRequestOptions {
  /** Default `GET`. */
  method?: string;
  /** Default `/ws`. */
  target?: string;
  /** Headers to set (replacing the valid upgrade's own), with the name as written. */
  set?: Record<string, string>;
  /** Headers of the valid upgrade to leave out, by the name as written. */
  drop?: string[];
}

/**
 * A WebSocket upgrade request head (RFC 6455's example key, version 13) with `options` applied.
 *
 * @example
 * ```ts
 * import { upgradeRequest } from "./raw_answer.ts";
 * const head = upgradeRequest({ drop: ["Sec-WebSocket-Key"] });
 * console.assert(head.startsWith("GET /ws HTTP/1.1\r\n") && !head.includes("Key"));
 * ```
 */
export function upgradeRequest(options: UpgradeRequestOptions = {}): string {
  const headers: Record<string, string> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
  };
  for (const name of options.drop ?? []) delete headers[name];
  Object.assign(headers, options.set ?? {});
  const method = options.method ?? "GET";
  if (method === "POST") headers["Content-Length"] = "0";
  let head = `${method} ${options.target ?? "/ws"} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/**
 * The server's answer as {@link rawAnswer} read it.
 *
 * @example
 * ```ts
 * import type { RawAnswer } from "./raw_answer.ts";
 * const answer: RawAnswer = { status: 400, headers: new Map(), body: "bad\n", closed: true };
 * console.assert(answer.body.length === 4);
 * ```
 */
export interface RawAnswer {
  /** The status code; 0 when the server closed the connection without an answer. */
  status: number;
  /** The response's headers by lower-case name. */
  headers: Map<string, string>;
  /** What followed the head (latin1): the body, or the frames after a `101`. */
  body: string;
  /** Whether the server had closed the connection when the answer was read. */
  closed: boolean;
}

/**
 * Writes `request` on a new connection to `port` and reads the answer: until the server closes
 * the connection, or it has sent a whole head and `content-length` bytes of body (none for a
 * HEAD request or a `101`), then a further `settleMs` to see whether anything more comes.
 *
 * @example
 * ```ts ignore
 * import { rawAnswer, upgradeRequest } from "./raw_answer.ts";
 * const answer = await rawAnswer(8080, upgradeRequest({ set: { "Sec-WebSocket-Version": "12" } }));
 * console.assert(answer.status === 426);
 * ```
 */
export async function rawAnswer(port: number, request: string, settleMs = 100): Promise<RawAnswer> {
  const peer = await RawHttpPeer.connect(port);
  const headOnly = request.startsWith("HEAD ");
  try {
    peer.write(request);
    await until(() => peer.closed || complete(peer.text, headOnly), "the server's answer");
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const end = peer.text.indexOf("\r\n\r\n");
    const lines = (end < 0 ? "" : peer.text.slice(0, end)).split("\r\n");
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return {
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0])?.[1] ?? 0),
      headers,
      body: end < 0 ? "" : peer.text.slice(end + 4),
      closed: peer.closed,
    };
  } finally {
    peer.destroy();
  }
}

/** Whether `text` holds a whole response head and its body. */
function complete(text: string, headOnly: boolean): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = text.slice(0, end);
  if (headOnly || head.startsWith("HTTP/1.1 101")) return true;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  return length !== null && text.length - end - 4 >= Number(length[1]);
}
