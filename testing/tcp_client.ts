/**
 * A WebSocket client over plain TCP for tests that need control a browser's WebSocket does not
 * give: several frames in one TCP write, a bad frame after good ones, a client that never reads,
 * and the moment the server tears the TCP connection down.
 *
 * @example
 * ```ts
 * import { TcpClient } from "./tcp_client.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer();
 * const client = await TcpClient.connect(running.url);
 * console.assert((await client.next()).payload[0] === 23); // accept-conf
 * client.destroy();
 * await running.close();
 * ```
 * @module
 */

import { connect, type Socket } from "node:net";
import { WaitQueue } from "../conformance/wait_queue.ts";
import { closePayload, FrameReader, Opcode, type ServerFrame } from "./ws_frame.ts";

/**
 * How the server ended the TCP connection, as the client saw it.
 *
 * @example
 * ```ts
 * import type { TcpEnd } from "./tcp_client.ts";
 * const end: TcpEnd = { at: performance.now(), reset: false };
 * console.assert(!end.reset);
 * ```
 */
export interface TcpEnd {
  /** `performance.now()` when the connection was seen to end. */
  readonly at: number;
  /** Whether it ended with a reset (an error) rather than an orderly end of stream. */
  readonly reset: boolean;
}

/**
 * One raw WebSocket connection to a server.
 *
 * @example
 * ```ts
 * import { TcpClient } from "./tcp_client.ts";
 * import { maskedCloseFrame } from "./ws_frame.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer();
 * const client = await TcpClient.connect(running.url);
 * client.write(maskedCloseFrame(1000));
 * console.assert((await client.closeFrame())?.code === 1000);
 * client.destroy();
 * await running.close();
 * ```
 */
export class TcpClient {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  readonly #frames = new WaitQueue<ServerFrame>();
  /** Resolves when the TCP connection has ended (the server closed or reset it). */
  readonly ended: Promise<TcpEnd>;
  /** This end's port. */
  readonly localPort: number;
  /** The server's port. */
  readonly remotePort: number;

  private constructor(socket: Socket, rest: Uint8Array) {
    this.#socket = socket;
    this.localPort = socket.localPort ?? 0;
    this.remotePort = socket.remotePort ?? 0;
    socket.on("data", (chunk: Uint8Array) => this.#receive(chunk));
    this.ended = new Promise((resolve) => {
      let reset = false;
      socket.on("error", () => reset = true);
      const end = () => {
        resolve({ at: performance.now(), reset });
        this.#frames.end();
      };
      socket.once("end", end);
      socket.once("close", end);
    });
    this.#receive(rest);
  }

  /**
   * Connects and upgrades; the 101 response has been read when it resolves. With `halfOpen`, this
   * end stays open when the server ends its side (a client that never answers a close), until
   * {@link TcpClient.destroy}.
   */
  static async connect(url: string, options: { halfOpen?: boolean } = {}): Promise<TcpClient> {
    const { hostname, port, pathname, search } = new URL(url);
    const socket = connect({
      port: Number(port),
      host: hostname,
      allowHalfOpen: options.halfOpen === true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.setNoDelay(true);
    socket.write(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    const rest = await new Promise<Uint8Array>((resolve, reject) => {
      let head = new Uint8Array(0);
      // Bun drops a connection whose answer comes after its server began to stop.
      const ended = () => {
        socket.destroy();
        reject(new Error("connection ended before the upgrade's answer"));
      };
      const onData = (chunk: Uint8Array) => {
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        const end = indexOfHeadEnd(head);
        if (end === -1) return;
        socket.off("data", onData).off("end", ended).off("close", ended);
        socket.pause();
        const status = new TextDecoder().decode(head.subarray(0, end)).split("\r\n")[0];
        if (status.includes(" 101 ")) return resolve(head.slice(end + 4));
        socket.destroy(); // a refused connection is of no more use
        reject(new Error(`upgrade refused: ${status}`));
      };
      socket.on("data", onData).once("end", ended).once("close", ended);
      socket.once("error", reject);
    });
    const client = new TcpClient(socket, rest);
    socket.resume();
    return client;
  }

  /** Writes raw bytes (one or more frames) in one TCP write. */
  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Ends this side (a FIN after what was written), as a client that sends nothing more. */
  finish(): void {
    this.#socket.end();
  }

  /** Stops reading: the kernel's receive buffer fills and the server's sends back up. */
  stopReading(): void {
    this.#socket.pause();
  }

  /** Reads again after {@link TcpClient.stopReading}. */
  resumeReading(): void {
    this.#socket.resume();
  }

  /** The next frame the server sent; rejects after `timeoutMs` or once the connection ended. */
  async next(timeoutMs = 10_000): Promise<ServerFrame> {
    const frame = await this.#frames.next(timeoutMs);
    if (frame !== undefined) return frame;
    throw new Error(this.#frames.ended ? "connection ended" : `no frame within ${timeoutMs} ms`);
  }

  /**
   * Reads frames until the server's close frame and returns its code and reason, with the data
   * frames before it; `null` when the connection ended without one.
   */
  async closeFrame(
    timeoutMs = 10_000,
  ): Promise<{ code: number; reason: string; before: ServerFrame[] } | null> {
    const before: ServerFrame[] = [];
    for (;;) {
      const frame = await this.#frames.next(timeoutMs);
      if (frame === undefined) {
        if (this.#frames.ended) return null;
        throw new Error(`no close frame within ${timeoutMs} ms`);
      }
      if (frame.opcode === Opcode.Close) return { ...closePayload(frame.payload), before };
      before.push(frame);
    }
  }

  /** Closes the TCP connection at once. */
  destroy(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Uint8Array): void {
    for (const frame of this.#reader.push(chunk)) this.#frames.push(frame);
  }
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
