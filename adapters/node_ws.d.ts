// The part of the `ws` package's API that the Node adapter uses, for type checking and docs.
//
// Why not @types/ws: it pulls in @types/node, and `deno doc` (Deno 2.9, deno_graph) resolves
// @types/node's `/// <reference path="zlib.d.ts" />` lines as package names, printing dozens of
// "Failed resolving types" warnings (denoland/deno#36751). Deno's own `node:` types need none
// of that. The adapter's tests run it against the real `ws` under Deno, Bun and Node.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";

/** Options of {@link WebSocketServer} that the adapter sets. */
export interface ServerOptions {
  noServer?: boolean;
  maxPayload?: number;
  clientTracking?: boolean;
  perMessageDeflate?: boolean;
  /** The class of the accepted sockets: `WebSocket` or a subclass. */
  WebSocket?: typeof WebSocket;
}

/** One accepted `ws` connection. */
export class WebSocket {
  /** Made by the server; never called by the adapter. */
  protected constructor();
  readonly OPEN: 1;
  readonly readyState: 0 | 1 | 2 | 3;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Destroys the underlying socket at once. */
  terminate(): void;
  on(
    event: "message",
    listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void,
  ): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
}

/** `ws`'s server, used without an HTTP server of its own (`noServer`). */
export class WebSocketServer {
  constructor(options: ServerOptions);
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (socket: WebSocket, request: IncomingMessage) => void,
  ): void;
}
