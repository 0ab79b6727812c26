// The frame receiver against frames as clients write them (testing/ws_frame.ts): every length
// encoding, any split of the stream into reads, fragments with control frames between them,
// and one documented failure (code and reason) for each way a frame can be wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { heapAfterGc } from "../../testing/heap_after_gc.ts";
import { SeededRandom } from "../../bench/reliability/seeded_random.ts";
import { maskedCloseFrame, maskedFrame, oneWrite, Opcode } from "../../testing/ws_frame.ts";

const joined = (...parts: Uint8Array[]) => oneWrite(parts);
import { FrameReceiver } from "./frame_receiver.ts";

type Event =
  | { kind: "message"; data: Uint8Array | string }
  | { kind: "ping"; payload: Uint8Array }
  | { kind: "close"; code: number; reason: string }
  | { kind: "fail"; code: number; reason: string };

function receiverWith(maxMessageSize = 1 << 20) {
  const events: Event[] = [];
  const receiver = new FrameReceiver({
    message: (data) => events.push({ kind: "message", data }),
    ping: (payload) => events.push({ kind: "ping", payload }),
    peerClose: (code, reason) => events.push({ kind: "close", code, reason }),
    fail: (code, reason) => events.push({ kind: "fail", code, reason }),
  }, maxMessageSize);
  return { receiver, events };
}

/** A frame as a client writes it, with the FIN bit as given. */
function fragment(payload: Uint8Array, opcode: number, fin: boolean): Uint8Array {
  const frame = maskedFrame(payload, opcode);
  if (!fin) frame[0] &= 0x7f;
  return frame;
}

function bytesOf(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** Payload lengths on both sides of each length encoding, and odd tails for the word unmask. */
const lengths = [0, 1, 3, 63, 64, 67, 125, 126, 127, 1000, 65535, 65536, 70001];

test("every length encoding reads back the bytes sent, in arrays of their own", () => {
  const { receiver, events } = receiverWith();
  const payloads = lengths.map((length, i) => bytesOf(length, i));
  const stream = joined(...payloads.map((payload) => maskedFrame(payload)));
  receiver.receive(stream);
  assert.equal(events.length, payloads.length);
  events.forEach((event, i) => {
    assert.equal(event.kind, "message");
    const data = (event as { data: Uint8Array }).data;
    assert.deepEqual(data, payloads[i], `payload of ${lengths[i]} bytes`);
    assert.equal(data.byteOffset, 0);
    assert.equal(data.buffer.byteLength, lengths[i], "the array's buffer holds the message only");
  });
});

test("the stream split into reads of any size gives the same messages (seeded)", () => {
  const random = new SeededRandom(7);
  const frames = [
    maskedFrame(bytesOf(5, 1)),
    maskedFrame(new TextEncoder().encode("héllo ✓"), Opcode.Text),
    fragment(bytesOf(300, 2), Opcode.Binary, false),
    maskedFrame(bytesOf(4, 3), Opcode.Ping),
    fragment(bytesOf(70, 4), 0, false),
    fragment(bytesOf(1, 5), 0, true),
    maskedFrame(bytesOf(66000, 6)),
    maskedCloseFrame(1000, "bye"),
  ];
  const stream = joined(...frames);
  const expected = receiverWith();
  expected.receiver.receive(stream);
  assert.deepEqual(expected.events.map((e) => e.kind), [
    "message",
    "message",
    "ping",
    "message",
    "message",
    "close",
  ]);
  assert.equal(expected.events[1].kind === "message" && expected.events[1].data, "héllo ✓");
  const fragmented = expected.events[3] as { data: Uint8Array };
  assert.deepEqual(fragmented.data, joined(bytesOf(300, 2), bytesOf(70, 4), bytesOf(1, 5)));
  for (let round = 0; round < 60; round++) {
    const { receiver, events } = receiverWith();
    // One reused read buffer, overwritten after each read, as a socket's is.
    const readBuffer = new Uint8Array(70000);
    for (let at = 0; at < stream.length;) {
      const size = Math.min(stream.length - at, 1 + random.below(round % 2 === 0 ? 7 : 9000));
      readBuffer.set(stream.subarray(at, at + size));
      receiver.receive(readBuffer.subarray(0, size));
      readBuffer.fill(0xee);
      at += size;
    }
    assert.deepEqual(events, expected.events, `round ${round}`);
  }
});

/** Frames that are wrong, each with the close code and the reason it must fail with. */
const badFrames: [string, Uint8Array, number, string][] = [
  [
    "reserved bit",
    (() => {
      const f = maskedFrame(bytesOf(3, 0));
      f[0] |= 0x40;
      return f;
    })(),
    1002,
    "a frame with reserved bits set",
  ],
  ["no mask", new Uint8Array([0x82, 0x01, 0x07]), 1002, "a client frame without a mask"],
  ["opcode 3", maskedFrame(bytesOf(1, 0), 3), 1002, "unknown opcode 3"],
  ["opcode 11", maskedFrame(bytesOf(1, 0), 11), 1002, "unknown opcode 11"],
  [
    "fragmented ping",
    fragment(bytesOf(1, 0), Opcode.Ping, false),
    1002,
    "a fragmented control frame",
  ],
  [
    "ping of 126 bytes",
    maskedFrame(bytesOf(126, 0), Opcode.Ping),
    1002,
    "a control frame over 125 bytes",
  ],
  [
    "continuation first",
    fragment(bytesOf(2, 0), 0, true),
    1002,
    "a continuation frame with no message to continue",
  ],
  [
    "new message inside a fragmented one",
    joined(fragment(bytesOf(2, 0), Opcode.Binary, false), maskedFrame(bytesOf(2, 0))),
    1002,
    "a new message before the last one's final fragment",
  ],
  [
    "close body of 1 byte",
    maskedFrame(new Uint8Array([3]), Opcode.Close),
    1002,
    "a close frame with a 1-byte body",
  ],
  [
    "64-bit length with its top bit set",
    // RFC 6455, 5.2: a malformed header (1002), not a message too big (1009).
    new Uint8Array([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 7]),
    1002,
    "a 64-bit length with its top bit set",
  ],
  ["close code 999", maskedCloseFrame(999), 1002, "invalid close code 999"],
  ["close code 1005", maskedCloseFrame(1005), 1002, "invalid close code 1005"],
  ["close code 1006", maskedCloseFrame(1006), 1002, "invalid close code 1006"],
  ["close code 5000", maskedCloseFrame(5000), 1002, "invalid close code 5000"],
  [
    "text not UTF-8",
    maskedFrame(new Uint8Array([0x68, 0xff, 0x69]), Opcode.Text),
    1007,
    "invalid UTF-8 in a text frame",
  ],
  [
    "fragmented text not UTF-8",
    joined(
      fragment(new Uint8Array([0xe2, 0x9c]), Opcode.Text, false),
      fragment(new Uint8Array([0x41]), 0, true),
    ),
    1007,
    "invalid UTF-8 in a text frame",
  ],
  [
    "close reason not UTF-8",
    maskedFrame(new Uint8Array([3, 232, 0xc3]), Opcode.Close),
    1007,
    "invalid UTF-8 in a close reason",
  ],
];

for (const [name, frame, code, reason] of badFrames) {
  test(`a bad frame fails once with its code and reason, then nothing is read: ${name}`, () => {
    const { receiver, events } = receiverWith(1000);
    receiver.receive(joined(maskedFrame(bytesOf(2, 9)), frame, maskedFrame(bytesOf(2, 9))));
    assert.deepEqual(events.slice(1), [{ kind: "fail", code, reason }]);
    assert.equal(receiver.done, true);
    receiver.receive(maskedFrame(bytesOf(2, 9)));
    assert.equal(events.length, 2);
  });
}

test("a message over the limit fails with 1009 from its header alone", () => {
  const { receiver, events } = receiverWith(1000);
  // Only the header of a 1 001-byte frame: nothing of the payload is waited for.
  receiver.receive(maskedFrame(bytesOf(1001, 0)).subarray(0, 4));
  assert.deepEqual(events, [{
    kind: "fail",
    code: 1009,
    reason: "message over the buffer size of 1000 bytes",
  }]);
  const fragments = receiverWith(1000);
  fragments.receiver.receive(joined(
    fragment(bytesOf(600, 0), Opcode.Binary, false),
    fragment(bytesOf(401, 0), 0, true).subarray(0, 4),
  ));
  assert.deepEqual(fragments.events, [{
    kind: "fail",
    code: 1009,
    reason: "message over the buffer size of 1000 bytes",
  }]);
  // A 64-bit length past 2^53 (its top bit clear, as RFC 6455 requires).
  const huge = receiverWith(1000);
  huge.receiver.receive(new Uint8Array([0x82, 0xff, 0x7f, 0xff, 0, 0, 0, 0, 0, 1]));
  assert.equal(huge.events[0].kind === "fail" && huge.events[0].code, 1009);
  // Exactly at the limit is taken.
  const atLimit = receiverWith(1000);
  atLimit.receiver.receive(maskedFrame(bytesOf(1000, 0)));
  assert.equal(atLimit.events[0].kind, "message");
});

test("a close frame without a body reads as 1005, and ends reading", () => {
  const { receiver, events } = receiverWith();
  receiver.receive(
    joined(maskedFrame(new Uint8Array(0), Opcode.Close), maskedFrame(bytesOf(1, 0))),
  );
  assert.deepEqual(events, [{ kind: "close", code: 1005, reason: "" }]);
  const withReason = receiverWith();
  withReason.receiver.receive(maskedCloseFrame(4000, "über"));
  assert.deepEqual(withReason.events, [{ kind: "close", code: 4000, reason: "über" }]);
});

test("pongs are ignored and pings reported with their payload, also between fragments", () => {
  const { receiver, events } = receiverWith();
  receiver.receive(joined(
    fragment(bytesOf(3, 1), Opcode.Binary, false),
    maskedFrame(bytesOf(2, 2), Opcode.Pong),
    maskedFrame(bytesOf(125, 3), Opcode.Ping),
    fragment(bytesOf(3, 4), 0, true),
  ));
  assert.deepEqual(events, [
    { kind: "ping", payload: bytesOf(125, 3) },
    { kind: "message", data: joined(bytesOf(3, 1), bytesOf(3, 4)) },
  ]);
});

test("a message sent in millions of empty or 1-byte fragments holds no memory per fragment", () => {
  // Each fragment once held an array of its own: 2 million empty continuation frames (12 MB
  // on the wire) grew the heap by 126 MB on Bun and 416 MB on Deno before the message ended.
  const { receiver, events } = receiverWith(1 << 22);
  const frames = (payload: Uint8Array, count: number) => {
    const one = fragment(payload, 0, false);
    const chunk = new Uint8Array(one.length * count);
    for (let i = 0; i < count; i++) chunk.set(one, i * one.length);
    return chunk;
  };
  const empty = frames(new Uint8Array(0), 10_000);
  const oneByte = frames(new Uint8Array([9]), 10_000);
  const before = heapAfterGc();
  receiver.receive(fragment(new Uint8Array([1, 2]), Opcode.Binary, false));
  for (let i = 0; i < 200; i++) receiver.receive(i % 2 === 0 ? empty : oneByte);
  const grown = heapAfterGc() - before;
  assert.ok(grown < 16e6, `heap grew by ${Math.round(grown / 1e6)} MB (the message is 1 MB)`);
  receiver.receive(fragment(new Uint8Array([3]), 0, true));
  assert.equal(events.length, 1);
  const data = (events[0] as { data: Uint8Array }).data;
  assert.equal(data.length, 2 + 100 * 10_000 + 1);
  assert.deepEqual([...data.subarray(0, 3)], [1, 2, 9]);
  assert.equal(data[data.length - 1], 3);
  assert.equal(data.buffer.byteLength, data.length, "the message's array holds it alone");
});
