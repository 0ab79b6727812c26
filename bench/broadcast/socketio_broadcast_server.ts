/**
 * socket.io 4 on Node for the broadcast benchmark, what a user might pick instead: a
 * `broadcast` event with an acknowledgement makes it stamp the same 64-byte payload as our
 * server (`signal_layout.ts`, a binary `Buffer`) and call `io.emit("tick", payload)` once; the
 * acknowledgement carries how many sockets are connected and how long the call took (ms). WebSocket transport only, no
 * compression. Bundled with esbuild (socket.io left external) and run by Node.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { announce } from "../e2e/serve_args.ts";
import { signalName, stampedPayload, triggerName } from "./signal_layout.ts";

const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
});
io.on("connection", (socket) => {
  socket.on(triggerName, (sequence: number, ack: (sent: number, callMs: number) => void) => {
    const payload = Buffer.from(stampedPayload(sequence).buffer);
    const started = performance.now();
    io.emit(signalName, payload);
    const callMs = performance.now() - started;
    ack(io.of("/").sockets.size, callMs);
  });
});
http.listen(0, "127.0.0.1", () => announce((http.address() as AddressInfo).port));
