// The frame receiver reading a server's frames (`fromServer`, as a client socket does): they
// come unmasked, at every length encoding and split anywhere; a masked one fails with 1002. The
// client's own frames (client_frame.ts) read back through the server side's receiver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { maskedFrame } from "./client_frame.ts";
import { frameHeaderLength, writeFrameHeader } from "./frame_header.ts";
import { FrameReceiver } from "./frame_receiver.ts";

function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(frameHeaderLength(payload.length) + payload.length);
  frame.set(payload, writeFrameHeader(frame, 0, opcode, payload.length));
  return frame;
}

function receiving(fromServer: boolean) {
  const got: (Uint8Array | string)[] = [];
  const failures: string[] = [];
  const receiver = new FrameReceiver(
    {
      message: (data) => got.push(data),
      ping: () => {},
      peerClose: () => {},
      fail: (code, reason) => failures.push(`${code} ${reason}`),
    },
    1 << 20,
    fromServer,
  );
  return { receiver, got, failures };
}

const lengths = [0, 1, 125, 126, 127, 65535, 65536, 70_001];

test("a server's unmasked frames of every length, split at any point, are read whole", () => {
  const { receiver, got, failures } = receiving(true);
  const payloads = lengths.map((length) => new Uint8Array(length).map((_, i) => (i * 13) & 0xff));
  const stream = new Uint8Array(payloads.reduce((sum, p) => sum + p.length + 14, 0));
  let end = 0;
  for (const payload of payloads) {
    const frame = serverFrame(0x2, payload);
    stream.set(frame, end);
    end += frame.length;
  }
  for (let at = 0; at < end; at += 997) {
    receiver.receive(stream.subarray(at, Math.min(end, at + 997)));
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(got, payloads);
  for (const message of got as Uint8Array[]) {
    assert.equal(message.buffer.byteLength, message.length, "each in an array of its own");
  }
});

test("a masked frame from a server fails with 1002; an unmasked one from a client too", () => {
  const client = receiving(true);
  client.receiver.receive(maskedFrame(0x2, new Uint8Array([1])));
  assert.deepEqual(client.failures, ["1002 a server frame with a mask"]);
  const server = receiving(false);
  server.receiver.receive(serverFrame(0x2, new Uint8Array([1])));
  assert.deepEqual(server.failures, ["1002 a client frame without a mask"]);
});

test("the client's masked frames read back as sent, at every length and opcode", () => {
  const { receiver, got, failures } = receiving(false);
  const sent: (Uint8Array | string)[] = [];
  for (const length of lengths) {
    const payload = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff);
    // From an offset in a larger buffer: only the view's bytes are sent.
    const inside = new Uint8Array(length + 5);
    inside.set(payload, 3);
    receiver.receive(maskedFrame(0x2, inside.subarray(3, 3 + length)));
    sent.push(payload);
  }
  receiver.receive(maskedFrame(0x1, new TextEncoder().encode("héllo")));
  sent.push("héllo");
  assert.deepEqual(failures, []);
  assert.deepEqual(got, sent);
});
