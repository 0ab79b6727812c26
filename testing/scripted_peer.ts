/**
 * A raw WebSocket server for client tests that need a peer breaking the rules on purpose (a
 * custom accept-conf, malformed messages, text frames, silence). It runs on `Deno.serve` under
 * Deno and on `Bun.serve` under Bun, on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startScriptedPeer } from "./scripted_peer.ts";
 * const peer = await startScriptedPeer({ onOpen: (socket) => socket.send(new Uint8Array([33])) });
 * console.assert(peer.url.startsWith("ws://127.0.0.1:"));
 * await peer.close();
 * ```
 * @module
 */

import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { type RawServerSocket, serveRawSockets } from "../conformance/raw_socket_server.ts";

/**
 * A connected client as the scripted peer sees it.
 *
 * @example
 * ```ts
 * import { acceptConf, type PeerSocket, startScriptedPeer } from "./scripted_peer.ts";
 * import { Client } from "../client.ts";
 * // A server that says version 2.0 with a 5 s read timeout, and nothing else.
 * const greet = (socket: PeerSocket) => socket.send(acceptConf({ readTimeoutMs: 5000 }));
 * const peer = await startScriptedPeer({ onOpen: greet });
 * const client = new Client(peer.url);
 * await client.connect();
 * console.assert(client.status === "connected");
 * await client.close();
 * await peer.close();
 * ```
 */
export type PeerSocket = RawServerSocket;

/**
 * What the peer does.
 *
 * @example
 * ```ts
 * import { acceptConf, type PeerScript, startScriptedPeer } from "./scripted_peer.ts";
 * import { Client } from "../client.ts";
 * const script: PeerScript = {
 *   onOpen: (socket) => socket.send(acceptConf()),
 *   onMessage: (socket, data) => socket.send(data), // every frame back as it came
 * };
 * const peer = await startScriptedPeer(script);
 * let echoed!: (name: string) => void;
 * const signal = new Promise<string>((resolve) => echoed = resolve);
 * const client = new Client(peer.url, {
 *   onSignal: (signal) => echoed(`${signal.name}=${signal.payload.text()}`),
 * });
 * await client.connect();
 * client.signal("ping", "1");
 * console.assert(await signal === "ping=1");
 * await client.close();
 * await peer.close();
 * ```
 */
export interface PeerScript {
  /** A client connected (nothing was sent yet). */
  onOpen?(socket: PeerSocket): void;
  /** A client sent a frame. */
  onMessage?(socket: PeerSocket, data: Uint8Array | string): void;
  /** A client's connection closed. */
  onClose?(socket: PeerSocket): void;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
}

/**
 * A running scripted peer.
 *
 * @example
 * ```ts
 * import { acceptConf, type ScriptedPeer, startScriptedPeer } from "./scripted_peer.ts";
 * import { Client } from "../client.ts";
 * const peer: ScriptedPeer = await startScriptedPeer({ onOpen: (s) => s.send(acceptConf()) });
 * const client = new Client(peer.url, { autoconnect: false });
 * await client.connect();
 * const lost = new Promise((resolve) => client.addEventListener("disconnected", resolve));
 * await peer.close(); // closes the connection with 1000 "peer closing"
 * await lost;
 * console.assert(client.status === "disconnected");
 * await client.close();
 * ```
 */
export interface ScriptedPeer {
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The port. */
  readonly port: number;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * The accept-conf of a default server, with fields replaced as given.
 *
 * @example
 * ```ts
 * import { acceptConf } from "./scripted_peer.ts";
 * console.assert(acceptConf({ major: 3 })[1] === 3);
 * ```
 */
export function acceptConf(
  fields: {
    major?: number;
    minor?: number;
    readTimeoutMs?: number;
    messageBufferSize?: number;
    subProtocol?: string;
  } = {},
): Uint8Array {
  return encodeAcceptConf({
    major: fields.major ?? 2,
    minor: fields.minor ?? 0,
    readTimeoutMs: fields.readTimeoutMs ?? 60_000,
    messageBufferSize: fields.messageBufferSize ?? 8192,
    subProtocol: fields.subProtocol,
  });
}

/**
 * Starts a scripted peer on 127.0.0.1 with the runtime's own server.
 *
 * @example
 * ```ts
 * import { acceptConf, startScriptedPeer } from "./scripted_peer.ts";
 * const peer = await startScriptedPeer({ onOpen: (socket) => socket.send(acceptConf()) });
 * await peer.close();
 * ```
 */
export function startScriptedPeer(script: PeerScript): Promise<ScriptedPeer> {
  const server = serveRawSockets((socket) => {
    script.onOpen?.(socket);
    return {
      message: (data) => script.onMessage?.(socket, data),
      close: () => script.onClose?.(socket),
    };
  }, { port: script.port });
  return Promise.resolve({
    url: `ws://127.0.0.1:${server.port}/`,
    port: server.port,
    close: () => server.close(1000, "peer closing"),
  });
}
