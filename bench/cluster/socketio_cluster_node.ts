/**
 * socket.io 4 on Node with `@socket.io/redis-adapter` (on ioredis, as its docs show) for the
 * cluster benchmark, what a user might pick instead: two of these processes on one Redis are
 * the socket.io cluster. Events: `join` (a room name; acknowledged once the socket is in it),
 * `run` (a `RunSpec`; acknowledged with a `RunResult` once every signal is sent) makes it call
 * `io.to(room).emit("tick", payload)` for each signal with the same stamped 64-byte binary
 * payload as our server, and `progress` (a count) is the generator's report of what it
 * received. WebSocket transport only, no compression. Bundled with esbuild (socket.io, the
 * adapter and ioredis left external) and run by Node.
 *
 * Usage: `node socketio_cluster_node.mjs --redis redis://127.0.0.1:6379 [--lifetime 900]`
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { parseArgs } from "node:util";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { signalName, stampedPayload } from "../broadcast/signal_layout.ts";
import { announce, hostname } from "../e2e/serve_args.ts";
import { parseRunSpec, Progress, runEmission, type RunResult, type Send } from "./emission.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    lifetime: { type: "string", default: "900" },
  },
});

const pubClient = new Redis(values.redis);
const subClient = pubClient.duplicate();
const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  adapter: createAdapter(pubClient, subClient),
});
const progress = new Progress();
const send: Send = (sequence, room) =>
  io.to(room).emit(signalName, Buffer.from(stampedPayload(sequence).buffer));

io.on("connection", (socket) => {
  socket.on("join", (room: string, ack: () => void) => {
    socket.join(room);
    ack();
  });
  socket.on("progress", (received: number) => progress.update(received));
  socket.on("run", async (spec: unknown, ack: (result: RunResult) => void) => {
    ack(await runEmission(parseRunSpec(JSON.stringify(spec)), send, progress, () => 0));
  });
});
await Promise.all([
  new Promise((resolve) => pubClient.once("ready", resolve)),
  new Promise((resolve) => subClient.once("ready", resolve)),
]);
process.on("SIGTERM", () => process.exit(0));
http.listen(0, hostname, () => announce((http.address() as AddressInfo).port));
