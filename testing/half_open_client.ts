/**
 * A WebSocket client over plain TCP that never answers the server's close frame and never ends
 * its side of the connection, even after the server's FIN (`allowHalfOpen`), for tests of a
 * server's close deadline (`closeTimeout`): the server's socket stays until the server drops it.
 * A client that does not write cannot see that happen (a socket closed after its FIN sends
 * nothing more): tests watch the server's side, such as `net.Server.getConnections`.
 *
 * @example
 * ```ts
 * import { HalfOpenClient } from "./half_open_client.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer({ closeTimeout: 100 });
 * const client = await HalfOpenClient.connect(running.port, "/");
 * console.assert((await client.frames.next(5000))?.payload[0] === 23); // accept-conf
 * client.destroy();
 * await running.close();
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import { WaitQueue } from "../conformance/wait_queue.ts";
import { FrameReader, type ServerFrame } from "./ws_frame.ts";

/**
 * One connection that leaves the ending to the server.
 *
 * @example
 * ```ts
 * import { HalfOpenClient } from "./half_open_client.ts";
 * import { startServer } from "./serve.ts";
 * import { maskedFrame, Opcode } from "./ws_frame.ts";
 * import { silentLogger } from "../protocol/logger.ts";
 * const running = await startServer({ adapter: "node", logger: silentLogger });
 * const client = await HalfOpenClient.connect(running.port, "/");
 * await client.frames.next(5000); // accept-conf
 * client.write(maskedFrame(new TextEncoder().encode("hi"), Opcode.Text));
 * const close = await client.frames.next(5000);
 * console.assert(close?.opcode === Opcode.Close && close.payload[1] === 0xeb); // 1003
 * client.destroy();
 * await running.close();
 * ```
 */
export class HalfOpenClient {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  /** The server's frames, from the first after the 101 response. */
  readonly frames: WaitQueue<ServerFrame> = new WaitQueue();

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("error", () => {});
    socket.once("close", () => this.frames.end());
  }

  /** Connects to 127.0.0.1:`port` and upgrades on `path`; rejects unless the answer is 101. */
  static async connect(port: number, path: string): Promise<HalfOpenClient> {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const client = new HalfOpenClient(socket);
    await new Promise<void>((resolve, reject) => {
      let head = new Uint8Array(0);
      const onData = (chunk: Uint8Array) => {
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        const end = Buffer.from(head).indexOf("\r\n\r\n");
        if (end === -1) return;
        socket.off("data", onData);
        const status = new TextDecoder().decode(head.subarray(0, end)).split("\r\n")[0];
        if (!status.startsWith("HTTP/1.1 101 ")) return reject(new Error(status));
        socket.on("data", (bytes: Uint8Array) => client.#receive(bytes));
        client.#receive(head.subarray(end + 4));
        resolve();
      };
      socket.on("data", onData);
      socket.once("close", () => reject(new Error("closed before the 101 response")));
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    return client;
  }

  /** Writes raw bytes (frames the test built). */
  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Ends the test's side at once. */
  destroy(): void {
    this.#socket.destroy();
  }

  #receive(bytes: Uint8Array): void {
    for (const frame of this.#reader.push(bytes)) this.frames.push(frame);
  }
}
