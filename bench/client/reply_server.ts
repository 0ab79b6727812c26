/**
 * The server of the client benchmark, the same for both clients it compares: `Bun.serve` with a
 * WebSocket handler that sends the reference accept-conf on open and answers every request frame
 * (types 127 to 129) with a binary reply (type 191) carrying the request's id and payload, the
 * least a WebWire server can do. Other frames (heartbeats) are dropped. Written by hand so that
 * the server costs the same whichever client talks to it; Bun is typed structurally.
 *
 * @module
 */

import { acceptConf, announce, hostname } from "../e2e/serve_args.ts";

interface BunSocket {
  sendBinary(data: Uint8Array): number;
}

interface BunServe {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      idleTimeout: number;
    };
  }): { port: number };
}

/** The reply to a request frame: type 191, the request's 8-byte id, then its payload. */
function replyTo(request: Uint8Array): Uint8Array | undefined {
  const type = request[0];
  if (type < 127 || type > 129 || request.length < 11) return undefined;
  const payloadOffset = 10 + request[9] + (type === 129 ? request[9] & 1 : 0);
  const reply = new Uint8Array(9 + request.length - payloadOffset);
  reply[0] = 191;
  reply.set(request.subarray(1, 9), 1);
  reply.set(request.subarray(payloadOffset), 9);
  return reply;
}

const bun = (globalThis as { Bun?: BunServe }).Bun;
if (bun === undefined) throw new Error("reply_server.ts runs under Bun");
const http = bun.serve({
  port: 0,
  hostname,
  fetch(request, server) {
    if (server.upgrade(request)) return undefined;
    return new Response("expected a WebSocket upgrade\n", { status: 426 });
  },
  websocket: {
    open(ws) {
      ws.sendBinary(acceptConf);
    },
    message(ws, message) {
      if (typeof message === "string") return;
      const reply = replyTo(message);
      if (reply !== undefined) ws.sendBinary(reply);
    },
    idleTimeout: 0,
  },
});
announce(http.port);
