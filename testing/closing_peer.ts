/**
 * A WebWire peer that leaves a client's socket closing for a while: asked with the signal
 * `close-me`, it sends a close frame (1001) and keeps the TCP connection open for `holdMs`
 * before it ends it, as a server busy with its close does. Browsers and the `ws` package keep
 * their socket in the CLOSING state all that time and drop what is sent then. Every request
 * gets a reply naming the connection that answered it (`connection 1`, `connection 2`, ...).
 * It runs on `node:net` under Node, Deno and Bun, on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startClosingPeer } from "./closing_peer.ts";
 * import { Client } from "../client.ts";
 * const peer = await startClosingPeer();
 * const client = new Client(peer.url);
 * console.assert((await client.request("who")).text() === "connection 1");
 * await peer.close();
 * await client.close();
 * ```
 * @module
 */

import type { Socket } from "node:net";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { serverFrame, startRawFramePeer } from "./raw_frame_peer.ts";
import { acceptConf } from "./scripted_peer.ts";
import { FrameReader, Opcode, type ServerFrame } from "./ws_frame.ts";

/**
 * A running closing peer.
 *
 * @example
 * ```ts
 * import { type ClosingPeer, startClosingPeer } from "./closing_peer.ts";
 * const peer: ClosingPeer = await startClosingPeer({ holdMs: 100 });
 * console.assert(peer.frames.length === 0); // no client yet
 * await peer.close();
 * ```
 */
export interface ClosingPeer {
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The frames each connection's client sent (unmasked), in order, by connection. */
  readonly frames: readonly ServerFrame[][];
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a closing peer; `holdMs` (default 300) is how long a connection stays open after the
 * close frame that `close-me` asked for.
 *
 * @example
 * ```ts
 * import { startClosingPeer } from "./closing_peer.ts";
 * import { Opcode } from "./ws_frame.ts";
 * import { Client } from "../client.ts";
 * const peer = await startClosingPeer({ holdMs: 50 });
 * const client = new Client(peer.url, { autoconnect: false });
 * await client.connect();
 * const lost = new Promise((resolve) => client.addEventListener("disconnected", resolve));
 * client.signal("close-me");
 * await lost; // Deno's and Bun's own WebSockets close at once, answering the close frame
 * console.assert(peer.frames.length === 1 && peer.frames[0][0].opcode === Opcode.Binary);
 * await client.close();
 * await peer.close();
 * ```
 */
export async function startClosingPeer(options: { holdMs?: number } = {}): Promise<ClosingPeer> {
  const holdMs = options.holdMs ?? 300;
  const sockets: Socket[] = [];
  const readers: FrameReader[] = [];
  const frames: ServerFrame[][] = [];
  const peer = await startRawFramePeer({
    halfOpen: true,
    onOpen: (socket) => {
      sockets.push(socket);
      readers.push(new FrameReader());
      frames.push([]);
      socket.write(serverFrame(Opcode.Binary, acceptConf()));
    },
    onData: (socket, bytes) => {
      const n = sockets.indexOf(socket);
      for (const frame of readers[n].push(bytes)) {
        frames[n].push(frame);
        if (frame.opcode === Opcode.Binary) answer(socket, frame.payload, n + 1, holdMs);
      }
    },
  });
  return { url: peer.url, frames, close: () => peer.close() };
}

function answer(socket: Socket, bytes: Uint8Array, connection: number, holdMs: number): void {
  const message = decodeMessage(bytes);
  if (message.kind === "request") {
    const reply = encodeReply({ id: message.id, payload: `connection ${connection}` });
    socket.write(serverFrame(Opcode.Binary, reply));
  } else if (message.kind === "signal" && message.nameText === "close-me") {
    socket.write(serverFrame(Opcode.Close, new Uint8Array([0x03, 0xe9]))); // 1001
    setTimeout(() => socket.destroy(), holdMs);
  }
}
