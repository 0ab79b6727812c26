// A frame's header alone no longer makes the receiver reserve the size it announces: a peer
// makes it hold only memory it has sent bytes for. (Before: 100 headers of 15 bytes announcing
// 8 MiB each reserved 800 MiB.) The frame still arrives whole when its bytes come.
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
