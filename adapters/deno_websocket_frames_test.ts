// DenoWebSocket against a raw peer that writes the frames a test chooses: fragments with a ping
// between them, text, a close with a code of its own, and a frame a server must not send. The
// peer reads the client's frames with the server's FrameReceiver, which checks their masks.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { until } from "../testing/until.ts";
import { DenoWebSocket } from "./deno_websocket.ts";
import { FrameReceiver } from "./websocket/frame_receiver.ts";

const onDeno = "Deno" in globalThis && !("Bun" in globalThis);
const encoder = new TextEncoder();

/** A frame of `opcode` with FIN unset: a fragment that more follow. */
function fragment(opcode: number, payload: Uint8Array): Uint8Array {
  return new Uint8Array([opcode, payload.length, ...payload]);
}

/** What the client sent, read as a server reads it: messages, pings and the close. */
function clientFrames() {
  const got: string[] = [];
  const receiver = new FrameReceiver({
    message: (data) => got.push(typeof data === "string" ? `text ${data}` : `binary ${data}`),
    ping: (payload) => got.push(`ping ${payload}`),
    peerClose: (code, reason) => got.push(`close ${code} ${reason}`),
    fail: (code, reason) => got.push(`fail ${code} ${reason}`),
  }, 1024 * 1024);
  return { got, receive: (bytes: Uint8Array) => receiver.receive(bytes) };
}

test("fragments with a ping between them make one message; the ping gets its pong", {
  skip: !onDeno,
}, async () => {
  const pongs: Uint8Array[] = [];
  const peer = await startRawFramePeer({
    onOpen: (socket) => {
      socket.write(fragment(0x2, new Uint8Array([1, 2])));
      socket.write(serverFrame(0x9, new Uint8Array([7, 8, 9])));
      socket.write(fragment(0x0, new Uint8Array([3])));
      socket.write(serverFrame(0x0, new Uint8Array([4, 5])));
      socket.write(serverFrame(0x1, encoder.encode("héllo")));
    },
    // The pong is the one control frame the client sends here: 0x8a, masked, 3 bytes.
    onData: (_socket, bytes) => {
      if (bytes[0] === 0x8a) pongs.push(bytes);
    },
  });
  const socket = new DenoWebSocket(peer.url);
  const messages: unknown[] = [];
  socket.onmessage = (event) => messages.push(event.data);
  try {
    await until(() => messages.length === 2 && pongs.length === 1, "the message, text and pong");
    assert.deepEqual(new Uint8Array(messages[0] as ArrayBuffer), new Uint8Array([1, 2, 3, 4, 5]));
    assert.equal(messages[1], "héllo");
    const mask = pongs[0].subarray(2, 6);
    assert.equal(pongs[0][1], 0x80 | 3, "masked, 3 bytes");
    assert.deepEqual([...pongs[0].subarray(6)].map((b, i) => b ^ mask[i]), [7, 8, 9]);
  } finally {
    socket.close();
    await peer.close();
  }
});

test("binaryType blob gives Blobs; the server's close code and reason reach onclose", {
  skip: !onDeno,
}, async () => {
  const seen = clientFrames();
  let peerSocket: Socket | undefined;
  const peer = await startRawFramePeer({
    onOpen: (socket) => {
      peerSocket = socket;
      socket.write(serverFrame(0x2, new Uint8Array([42])));
    },
    onData: (socket, bytes) => {
      seen.receive(bytes);
      if (seen.got.at(-1)?.startsWith("close")) socket.end();
    },
  });
  const socket = new DenoWebSocket(peer.url);
  socket.binaryType = "blob";
  const data: unknown[] = [];
  socket.onmessage = (event) => data.push(event.data);
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  try {
    await until(() => data.length === 1, "the message");
    assert.ok(data[0] instanceof Blob);
    assert.deepEqual(new Uint8Array(await (data[0] as Blob).arrayBuffer()), new Uint8Array([42]));
    socket.send("up");
    socket.send(new Uint8Array([1, 2, 3]).subarray(1));
    await until(() => seen.got.length === 2, "the client's messages");
    const body = new Uint8Array([0x0f, 0xa1, ...encoder.encode("moved")]); // 4001
    peerSocket!.write(serverFrame(0x8, body));
    const event = await closed;
    assert.deepEqual([event.code, event.reason, event.wasClean], [4001, "moved", true]);
    assert.deepEqual(seen.got, ["text up", "binary 2,3", "close 4001 "]);
  } finally {
    await peer.close();
  }
});

test("a masked frame from the server fails the connection: 1002 to it, 1006 here", {
  skip: !onDeno,
}, async () => {
  const seen = clientFrames();
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(new Uint8Array([0x82, 0x81, 1, 2, 3, 4, 5])),
    onData: (_socket, bytes) => seen.receive(bytes),
  });
  const socket = new DenoWebSocket(peer.url);
  const log: string[] = [];
  socket.onerror = () => log.push("error");
  socket.onmessage = () => log.push("message");
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  try {
    const event = await closed;
    assert.deepEqual([event.code, event.wasClean], [1006, false]);
    assert.deepEqual(log, ["error"]);
    await until(() => seen.got.length === 1, "the close frame");
    assert.deepEqual(seen.got, ["close 1002 a server frame with a mask"]);
  } finally {
    await peer.close();
  }
});

test("a server that never answers the close is left after closeTimeout", {
  skip: !onDeno,
}, async () => {
  const peer = await startRawFramePeer({ halfOpen: true });
  const socket = new (DenoWebSocket.withOptions({ closeTimeout: 100 }))(peer.url);
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve as () => void);
  try {
    await until(() => socket.readyState === DenoWebSocket.OPEN, "open");
    socket.close(1000);
    const event = await closed;
    assert.deepEqual([event.code, event.wasClean], [1006, false]);
  } finally {
    await peer.close();
  }
});

test("a failure while a write is stuck (the server reads nothing) still ends it in time", {
  skip: !onDeno,
}, async () => {
  let peerSocket: Socket | undefined;
  const peer = await startRawFramePeer({
    onOpen: (socket) => {
      peerSocket = socket;
      socket.pause(); // reads nothing more: the client's write cannot finish
    },
  });
  const socket = new (DenoWebSocket.withOptions({ closeTimeout: 100 }))(peer.url);
  const log: string[] = [];
  socket.onerror = () => log.push("error");
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve as () => void);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await until(() => socket.readyState === DenoWebSocket.OPEN && peerSocket !== undefined, "open");
    socket.send(new Uint8Array(64 * 1024 * 1024));
    // A masked frame: the client fails the connection, its close frame queued behind the message.
    peerSocket!.write(new Uint8Array([0x82, 0x81, 1, 2, 3, 4, 5]));
    const late = new Promise<string>((resolve) => timer = setTimeout(resolve, 3000, "no close"));
    const event = await Promise.race([closed, late]);
    assert.notEqual(event, "no close", "the close event came");
    assert.deepEqual([(event as CloseEvent).code, log], [1006, ["error"]]);
  } finally {
    clearTimeout(timer);
    await peer.close();
    await closed;
  }
});

test("close with a reason and no code sends 1000 with the reason", { skip: !onDeno }, async () => {
  const seen = clientFrames();
  const peer = await startRawFramePeer({
    onData: (socket, bytes) => {
      seen.receive(bytes);
      if (seen.got.at(-1)?.startsWith("close")) socket.end();
    },
  });
  const socket = new DenoWebSocket(peer.url);
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  try {
    await until(() => socket.readyState === DenoWebSocket.OPEN, "open");
    socket.close(undefined, "bye");
    await closed;
    assert.deepEqual(seen.got, ["close 1000 bye"]);
  } finally {
    await peer.close();
  }
});
