// A ping that arrives while 64 KiB or more waits to be sent is answered later, once the queue
// is shorter (framed_socket_options.ts, `pongBacklogLimit`). The Node adapter's socket used to
// wait for Node's `drain` for that, which comes only when a write found the socket's own queue
// over its `highWaterMark`: on a server whose sockets have a larger one (`node:http` and
// `node:net` take a `highWaterMark` option), the pong never left. Over real TCP; runs under Deno
// and Bun, and under Node after scripts/extra_suites.mjs has bundled it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type Socket } from "node:net";
import { NodeFramedSocket } from "./node_framed_socket.ts";
import { FrameReader, maskedFrame, Opcode } from "../testing/ws_frame.ts";
import { until } from "../testing/until.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("node framing: a ping deferred behind a backlog is answered once it is written", async () => {
  let accept: (socket: Socket) => void = () => {};
  const accepted = new Promise<Socket>((resolve) => accept = resolve);
  // Deno's `node:net` keeps its own 64 KiB `highWaterMark`; Node and Bun take this one.
  const listener = createServer({ highWaterMark: 1024 * 1024 }, (socket) => accept(socket));
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const client = createConnection((listener.address() as { port: number }).port, "127.0.0.1");
  const socket = new NodeFramedSocket(await accepted, { maxMessageSize: 1024 });
  try {
    client.pause(); // the kernel's buffers fill, then the socket's own queue
    socket.start({ message: () => {}, closed: () => {}, drained: () => {} });
    let sent = 0;
    while (socket.bufferedAmount < 256 * 1024 && sent < 2000) {
      socket.send(new Uint8Array(64 * 1024));
      sent++;
      await sleep(10);
    }
    client.write(maskedFrame(new Uint8Array([7, 7]), Opcode.Ping)); // deferred: over 64 KiB wait
    await sleep(100);
    const reader = new FrameReader();
    const frames: { opcode: number; payload: Uint8Array }[] = [];
    client.on("data", (chunk: Uint8Array) => frames.push(...reader.push(chunk)));
    client.resume();
    await until(() => frames.length >= sent, "the backlog");
    await until(() => frames.length > sent, "the pong", 2000);
    assert.deepEqual(
      frames.slice(sent).map((frame) => [frame.opcode, [...frame.payload]]),
      [[Opcode.Pong, [7, 7]]],
    );
  } finally {
    socket.terminate();
    client.destroy();
    await new Promise((resolve) => listener.close(resolve));
  }
});
