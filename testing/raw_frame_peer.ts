/**
 * A WebSocket server on `node:net` that writes whatever bytes a test gives it, frames that break
 * RFC 6455 included (a text frame with invalid UTF-8, say), for client tests that need a peer
 * no real WebSocket server can be made to be. It runs the same under Node, Deno and Bun, on
 * 127.0.0.1; it answers the opening handshake and then hands the client's bytes, unparsed, to
 * the script.
 *
 * @example
 * ```ts
 * import { serverFrame, startRawFramePeer } from "./raw_frame_peer.ts";
 * import { acceptConf } from "./scripted_peer.ts";
 * import { Client } from "../client.ts";
 * import type { Socket } from "node:net";
 * const greet = (socket: Socket) => socket.write(serverFrame(2, acceptConf()));
 * const peer = await startRawFramePeer({ onOpen: greet });
 * const client = new Client(peer.url, { autoconnect: false });
 * await client.connect();
 * console.assert(client.status === "connected");
 * await client.close();
 * await peer.close();
 * ```
 * @module
 */

import { createServer, type Socket } from "node:net";
import { switchingProtocols } from "../adapters/websocket/handshake.ts";

/**
 * What the peer does once a client's handshake is answered.
 *
 * @example
 * ```ts
 * import { type RawFramePeerScript, serverFrame } from "./raw_frame_peer.ts";
 * import { acceptConf } from "./scripted_peer.ts";
 * const script: RawFramePeerScript = {
 *   onOpen: (socket) => socket.write(serverFrame(2, acceptConf())),
 *   onData: (socket) => socket.write(serverFrame(1, new Uint8Array([0xff]))), // bad UTF-8
 * };
 * console.assert(typeof script.onData === "function");
 * ```
 */
export interface RawFramePeerScript {
  /** The handshake was answered: the socket is a WebSocket now. */
  onOpen?(socket: Socket): void;
  /** The client sent bytes after its handshake (masked frames, as they came). */
  onData?(socket: Socket, bytes: Uint8Array): void;
  /**
   * Keeps the peer's side open when the client ends its own (a FIN after its close frame), as a
   * server that has not finished its close yet does: the script ends it. Default: ended at once.
   */
  halfOpen?: boolean;
}

/**
 * A running raw frame peer.
 *
 * @example
 * ```ts
 * import { type RawFramePeer, startRawFramePeer } from "./raw_frame_peer.ts";
 * const peer: RawFramePeer = await startRawFramePeer({});
 * console.assert(peer.url === `ws://127.0.0.1:${peer.port}/`);
 * await peer.close();
 * ```
 */
export interface RawFramePeer {
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The port. */
  readonly port: number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * One final, unmasked frame as a server sends it, of `opcode` and a payload under 126 bytes;
 * nothing about the payload is checked.
 *
 * @example
 * ```ts
 * import { serverFrame } from "./raw_frame_peer.ts";
 * const frame = serverFrame(1, new Uint8Array([0xff, 0xfe])); // text, invalid UTF-8
 * console.assert(frame.join() === "129,2,255,254");
 * ```
 */
export function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new RangeError(`payload of ${payload.length} bytes: at most 125`);
  const frame = new Uint8Array(2 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = payload.length;
  frame.set(payload, 2);
  return frame;
}

/**
 * Starts a raw frame peer on a free port of 127.0.0.1.
 *
 * @example
 * ```ts
 * import { serverFrame, startRawFramePeer } from "./raw_frame_peer.ts";
 * import { acceptConf } from "./scripted_peer.ts";
 * import { Client } from "../client.ts";
 * // The accept-conf; then, once the client has sent something, a text frame: a protocol
 * // violation that ends the connection.
 * const text = serverFrame(1, new TextEncoder().encode("hi"));
 * const peer = await startRawFramePeer({
 *   onOpen: (socket) => socket.write(serverFrame(2, acceptConf())),
 *   onData: (socket) => socket.write(text),
 * });
 * const client = new Client(peer.url, { autoconnect: false });
 * const lost = new Promise((resolve) => client.addEventListener("disconnected", resolve));
 * await client.connect();
 * client.signal("hello");
 * await lost;
 * await client.close();
 * await peer.close();
 * ```
 */
export async function startRawFramePeer(script: RawFramePeerScript): Promise<RawFramePeer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: script.halfOpen === true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // a client that resets the connection is no failure here
    let head = "";
    let open = false;
    socket.on("data", (chunk: Uint8Array) => {
      if (open) return script.onData?.(socket, chunk);
      head += new TextDecoder().decode(chunk);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head.slice(0, end))?.[1] ?? "";
      socket.write(switchingProtocols(key));
      open = true;
      script.onOpen?.(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
