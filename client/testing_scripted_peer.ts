/**
 * A raw WebSocket server for client tests that need a peer breaking the rules on purpose (a
 * custom accept-conf, malformed messages, text frames, silence). It runs on `Deno.serve` under
 * Deno and on `Bun.serve` under Bun, on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startScriptedPeer } from "./testing_scripted_peer.ts";
 * const peer = await startScriptedPeer({ onOpen: (socket) => socket.send(new Uint8Array([33])) });
 * console.assert(peer.url.startsWith("ws://127.0.0.1:"));
 * await peer.close();
 * ```
 * @module
 */

import { encodeAcceptConf } from "../protocol/encode_control_message.ts";

/**
 * A connected client as the scripted peer sees it.
 *
 * @example
 * ```ts
 * import type { PeerSocket } from "./testing_scripted_peer.ts";
 * const greet = (socket: PeerSocket) => socket.send("text frame");
 * console.assert(typeof greet === "function");
 * ```
 */
export interface PeerSocket {
  /** Sends a binary frame (bytes) or a text frame (string). */
  send(data: Uint8Array | string): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
}

/**
 * What the peer does.
 *
 * @example
 * ```ts
 * import type { PeerScript } from "./testing_scripted_peer.ts";
 * const script: PeerScript = { onMessage: (socket, bytes) => socket.send(bytes) };
 * console.assert(typeof script.onMessage === "function");
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
 * import type { ScriptedPeer } from "./testing_scripted_peer.ts";
 * const url = (peer: ScriptedPeer): string => peer.url;
 * console.assert(typeof url === "function");
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
 * import { acceptConf } from "./testing_scripted_peer.ts";
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

interface BunSocket {
  send(data: Uint8Array | string): number;
  close(code?: number, reason?: string): void;
  data: { peer?: PeerSocket };
}

interface BunGlobal {
  serve(options: {
    port: number;
    hostname: string;
    fetch(
      request: Request,
      server: { upgrade(request: Request, o: object): boolean },
    ): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, data: string | Uint8Array): void;
      close(ws: BunSocket): void;
      idleTimeout: number;
    };
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}

/**
 * Starts a scripted peer on 127.0.0.1 with the runtime's own server.
 *
 * @example
 * ```ts
 * import { acceptConf, startScriptedPeer } from "./testing_scripted_peer.ts";
 * const peer = await startScriptedPeer({ onOpen: (socket) => socket.send(acceptConf()) });
 * await peer.close();
 * ```
 */
export function startScriptedPeer(script: PeerScript): Promise<ScriptedPeer> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun !== undefined) return Promise.resolve(startBunPeer(bun, script));
  return Promise.resolve(startDenoPeer(script));
}

function startBunPeer(bun: BunGlobal, script: PeerScript): ScriptedPeer {
  const open = new Set<BunSocket>();
  const server = bun.serve({
    port: script.port ?? 0,
    hostname: "127.0.0.1",
    fetch(request, server) {
      if (server.upgrade(request, { data: {} })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 400 });
    },
    websocket: {
      open(ws) {
        open.add(ws);
        ws.data.peer = {
          send: (data) => void ws.send(data),
          close: (code, reason) => ws.close(code, reason),
        };
        script.onOpen?.(ws.data.peer);
      },
      message(ws, data) {
        script.onMessage?.(ws.data.peer!, data);
      },
      close(ws) {
        open.delete(ws);
        script.onClose?.(ws.data.peer!);
      },
      idleTimeout: 0,
    },
  });
  return {
    url: `ws://127.0.0.1:${server.port}/`,
    port: server.port,
    close: async () => {
      for (const ws of open) ws.close(1000, "peer closing");
      await server.stop(true);
    },
  };
}

function startDenoPeer(script: PeerScript): ScriptedPeer {
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({
    port: script.port ?? 0,
    hostname: "127.0.0.1",
    onListen: () => {},
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    const peer: PeerSocket = {
      send: (data) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(data as Uint8Array<ArrayBuffer>);
      },
      close: (code, reason) => socket.close(code, reason),
    };
    socket.onopen = () => {
      sockets.add(socket);
      script.onOpen?.(peer);
    };
    socket.onmessage = (event) => {
      const data = event.data;
      script.onMessage?.(peer, typeof data === "string" ? data : new Uint8Array(data));
    };
    socket.onclose = () => {
      sockets.delete(socket);
      script.onClose?.(peer);
    };
    socket.onerror = () => {};
    return response;
  });
  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    close: async () => {
      for (const socket of sockets) {
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, "peer closing");
      }
      await server.shutdown();
    },
  };
}
