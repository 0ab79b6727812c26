/**
 * The floor under our Bun server: `Bun.serve` with a WebSocket handler that sends the reference
 * accept-conf on open and every binary frame back as it came, except signals (first byte 63 to
 * 65), which it drops as a server without a signal handler would. Bun is typed structurally.
 *
 * @module
 */

import { acceptConf, announce, hostname } from "./serve_args.ts";

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

const bun = (globalThis as { Bun?: BunServe }).Bun;
if (bun === undefined) throw new Error("raw_echo_bun.ts runs under Bun");
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
      const type = message[0];
      if (type >= 63 && type <= 65) return;
      ws.sendBinary(message);
    },
    idleTimeout: 0,
  },
});
announce(http.port);
