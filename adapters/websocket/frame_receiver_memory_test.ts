// A frame's header alone no longer makes the receiver reserve the size it announces: a peer
// makes it hold only memory it has sent bytes for. (Before: 100 headers of 15 bytes announcing
// 8 MiB each reserved 800 MiB.) The frame still arrives whole when its bytes come, and the room
// kept for it grows by doubling, not by what each read brought (a copy of it all at every read).
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { maskedFrame } from "../../testing/ws_frame.ts";
import { FrameReceiver, type FrameSink } from "./frame_receiver.ts";

const announced = 8 * 1024 * 1024;

function receiverWith(messages: Uint8Array[]): FrameReceiver {
  const sink: FrameSink = {
    message: (data) => void messages.push(data as Uint8Array),
    ping: () => {},
    peerClose: () => {},
    fail: (code, reason) => assert.fail(`${code} ${reason}`),
  };
  return new FrameReceiver(sink, 16 * 1024 * 1024);
}

test("headers announcing 8 MiB frames hold little memory until the bytes come", () => {
  const payload = new Uint8Array(announced).map((_, i) => (i * 7) & 0xff);
  const frame = maskedFrame(payload, 0x2);
  const before = process.memoryUsage().external;
  const receivers: FrameReceiver[] = [];
  for (let i = 0; i < 100; i++) {
    const receiver = receiverWith([]);
    receiver.receive(frame.subarray(0, 15)); // the 14-byte header and one payload byte
    receivers.push(receiver);
  }
  const grown = process.memoryUsage().external - before;
  assert.ok(grown < 16 * 1024 * 1024, `100 headers held ${(grown / 2 ** 20).toFixed(1)} MiB`);

  // The rest, in reads of 64 KiB, makes the whole message.
  const messages: Uint8Array[] = [];
  const receiver = receiverWith(messages);
  for (let at = 0; at < frame.length; at += 65536) {
    receiver.receive(frame.subarray(at, Math.min(frame.length, at + 65536)));
  }
  assert.equal(messages.length, 1);
  assert.deepEqual(messages[0], payload);
  assert.equal(receivers.length, 100);
});

test("the room kept for a frame that comes a byte at a time grows by doubling", () => {
  // Growing it to twice what had come at every read copied the whole frame each time: 1 MiB a
  // byte at a time took some 10 s.
  const payload = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) & 0xff);
  const frame = maskedFrame(payload, 0x2);
  const messages: Uint8Array[] = [];
  const receiver = receiverWith(messages);
  const sizes = new Set<number>();
  for (let at = 0; at < frame.length; at++) {
    receiver.receive(frame.subarray(at, at + 1));
    if (receiver.keptBytes > 0) sizes.add(receiver.keptBytes);
  }
  assert.equal(messages.length, 1);
  assert.deepEqual(messages[0], payload);
  // Doubling from 256 bytes (the header's first bytes) up to the frame: 14 sizes.
  assert.ok(sizes.size <= 16, `${sizes.size} buffer sizes: ${[...sizes].join(", ")}`);
  assert.ok(Math.max(...sizes) <= frame.length, "never more room than the frame needs");
  assert.ok(Math.min(...sizes) <= 16 * 1024, "a header alone reserves little");
});
