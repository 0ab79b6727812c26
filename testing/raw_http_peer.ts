/**
 * A TCP client on 127.0.0.1 that writes raw HTTP/1.1 (requests pipelined on one connection, an
 * upgrade followed by a half-close) and records everything the server sends, as latin1 text,
 * with whether the server has ended or closed the connection. Runs on Node, Deno and Bun.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { AddressInfo } from "node:net";
 * import { RawHttpPeer } from "./raw_http_peer.ts";
 * import { until } from "./until.ts";
 * const http = createServer((_request, response) => response.end("hi"));
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const peer = await RawHttpPeer.connect((http.address() as AddressInfo).port);
 * peer.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
 * await until(() => peer.closed, "the server closed the connection");
 * console.assert(peer.text.startsWith("HTTP/1.1 200 OK\r\n") && peer.text.endsWith("hi"));
 * await new Promise((resolve) => http.close(resolve));
 * ```
 * @module
 */

import { connect, type Socket } from "node:net";

/**
 * One raw TCP connection to a local HTTP server, as described in the module documentation.
 *
 * @example
 * ```ts ignore
 * import { RawHttpPeer } from "./raw_http_peer.ts";
 * const peer = await RawHttpPeer.connect(8080);
 * peer.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
 * peer.end(); // a half-close: the server may still answer
 * ```
 */
export class RawHttpPeer {
  readonly #socket: Socket;
  /** Everything received so far, as latin1 text (one character per byte). */
  text = "";
  /** The server has ended its side (FIN). */
  ended = false;
  /** The connection is closed (both sides ended, or reset). */
  closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => this.text += chunk);
    socket.on("end", () => this.ended = true);
    socket.on("close", () => this.closed = true);
    socket.on("error", () => {});
  }

  /** Connects to `port` on 127.0.0.1; resolves once connected. */
  static connect(port: number): Promise<RawHttpPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawHttpPeer(socket));
      });
    });
  }

  /** This end's port (with the server's, it names the connection in the kernel's tables). */
  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  /** The HTTP status codes of the response heads received so far, in order. */
  get statuses(): number[] {
    return [...this.text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
  }

  /** Writes raw bytes (a string as UTF-8). */
  write(data: string | Uint8Array): void {
    this.#socket.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Ends the client's side (FIN), still reading what the server sends. */
  end(): void {
    this.#socket.end();
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.#socket.destroy();
  }
}
