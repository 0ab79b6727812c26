/**
 * The floor under our Node server: a `ws` server (the WebSocket package of most Node servers;
 * our Node adapter does its own framing) that sends the reference accept-conf on open and every binary frame back as it
 * came, except signals (first byte 63 to 65), which it drops as a server without a signal
 * handler would. Bundled with esbuild and run by Node.
 *
 * @module
 */

// `ws` ships no types; Deno takes them from @types/ws.
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import { acceptConf, announce, hostname } from "./serve_args.ts";

const wss = new WebSocketServer({
  port: 0,
  host: hostname,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 8192,
});
wss.on("connection", (ws) => {
  ws.send(acceptConf);
  ws.on("message", (data, isBinary) => {
    if (!isBinary) return;
    const bytes = data as Uint8Array;
    const type = bytes[0];
    if (type >= 63 && type <= 65) return;
    ws.send(bytes);
  });
  ws.on("error", () => {});
});
wss.on("listening", () => announce((wss.address() as AddressInfo).port));
