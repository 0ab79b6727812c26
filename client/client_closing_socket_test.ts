// A request made while the client's socket is closing (the server's close frame has come, its
// TCP connection not yet gone) was written into a socket that drops it, and then failed with
// DisconnectedError ("may have been processed") once the socket closed. The client knows it was
// never sent: it is held and sent on the next connection, as a request made while offline is;
// a signal throws DisconnectedError at once instead of vanishing. Browsers and the `ws` package
// keep a socket closing until the server ends its TCP connection (`ws` for up to 30 s); Deno's
// and Bun's own WebSockets close at once. So the client here runs on `ws`: under Deno, and
// under Node by scripts/extra_suites.mjs (Bun puts its own WebSocket in place of `ws`).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client.ts";
import { DisconnectedError } from "./errors.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { acceptConf } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

/** The frames of a client's bytes (whole, masked frames of under 126 bytes each), unmasked. */
function clientFrames(bytes: Uint8Array): { opcode: number; payload: Uint8Array }[] {
  const frames = [];
  for (let at = 0; at + 6 <= bytes.length;) {
    const length = bytes[at + 1] & 0x7f;
    const mask = bytes.subarray(at + 2, at + 6);
    const payload = bytes.slice(at + 6, at + 6 + length).map((byte, i) => byte ^ mask[i % 4]);
    frames.push({ opcode: bytes[at] & 0x0f, payload });
    at += 6 + length;
  }
  return frames;
}

const skip = "Bun" in globalThis && "Bun's `ws` is its own WebSocket, which closes at once";

test("a request made while the socket closes is held for the next connection", {
  skip,
}, async () => {
  const sockets: Socket[] = [];
  const frames: { opcode: number; payload: Uint8Array }[][] = [];
  const peer = await startRawFramePeer({
    halfOpen: true, // the client's socket stays closing until the test ends the connection
    onOpen: (socket) => {
      sockets.push(socket);
      frames.push([]);
      socket.write(serverFrame(2, acceptConf()));
    },
    onData: (socket, bytes) => {
      const n = sockets.indexOf(socket);
      for (const frame of clientFrames(bytes)) {
        frames[n].push(frame);
        if (n === 0 || frame.opcode !== 2) continue;
        const message = decodeMessage(frame.payload);
        if (message.kind !== "request") continue;
        socket.write(serverFrame(2, encodeReply({ id: message.id, payload: "second" })));
      }
    },
  });
  const client = new Client(peer.url, {
    WebSocket: NodeWebSocket,
    reconnect: { initialDelay: 10 },
  });
  try {
    await client.connect();
    // A close frame (1001) whose TCP connection stays: the client answers it and waits.
    sockets[0].write(serverFrame(8, new Uint8Array([0x03, 0xe9])));
    await until(() => frames[0].some((frame) => frame.opcode === 8), "the client's close");
    const reply = client.request("echo", "late");
    assert.throws(() => client.signal("note", "late"), DisconnectedError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    sockets[0].destroy();
    assert.equal((await reply).text(), "second");
    const afterClose = frames[0].slice(frames[0].findIndex((frame) => frame.opcode === 8));
    assert.deepEqual(afterClose.map((frame) => frame.opcode), [8], "nothing written after it");
  } finally {
    await peer.close(); // first: the client need not wait for a close the peer never answers
    await client.close();
  }
});
