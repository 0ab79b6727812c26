// socket.io 4 on Node, what a user might pick instead of WebWire: `echo` acknowledges with the
// data it got, `signal` events are received and dropped, `barrier` acknowledges with nothing
// (the signal benchmark's batch acknowledgement). WebSocket transport only, no compression.
// Prints `READY <url> <pid>` like the other benchmark servers.
import { createServer } from "node:http";
import process from "node:process";
import { Server } from "socket.io";

const lifetime = Number(process.argv[process.argv.indexOf("--lifetime") + 1] || 900);
const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 1e6,
});
io.on("connection", (socket) => {
  socket.on("echo", (data, ack) => ack(data));
  socket.on("signal", () => {});
  socket.on("barrier", (ack) => ack());
});
http.listen(0, "127.0.0.1", () => {
  setTimeout(() => process.exit(3), lifetime * 1000);
  console.log(`READY ws://127.0.0.1:${http.address().port}/ ${process.pid}`);
});
