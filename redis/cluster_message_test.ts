import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { ClusterMessage } from "../server/cluster.ts";
import {
  batchHeader,
  decodeClusterMessage,
  decodeClusterMessages,
  encodeBatchEntry,
  encodeClusterMessage,
  loneMessage,
} from "./cluster_message.ts";

const signal = encodeSignal({ name: "tick", payload: "ü 1" });

test("every kind of cluster message survives the trip, with its sender", () => {
  const messages: ClusterMessage[] = [
    { kind: "broadcast", signal },
    { kind: "publish", topic: "room:café", signal },
    { kind: "signal-session", key: "k".repeat(64), signal },
    { kind: "close-session", key: "k".repeat(64) },
  ];
  for (const message of messages) {
    const decoded = decodeClusterMessage(encodeClusterMessage("node-7", message));
    assert.equal(decoded?.from, "node-7");
    assert.equal(decoded?.message.kind, message.kind);
    const { signal: sent, ...rest } = message as ClusterMessage & { signal?: Uint8Array };
    const { signal: got, ...gotRest } = decoded!.message as ClusterMessage & {
      signal?: Uint8Array;
    };
    assert.deepEqual(gotRest, rest);
    assert.deepEqual(got === undefined ? undefined : [...got], sent && [...sent]);
  }
});

test("bytes that are no cluster message decode to null, never throw", () => {
  const valid = encodeClusterMessage("n", { kind: "publish", topic: "t", signal });
  for (let length = 0; length < valid.length; length++) {
    const cut = valid.subarray(0, length);
    const decoded = decodeClusterMessage(cut);
    if (decoded !== null) assert.equal(decoded.message.kind, "publish"); // a shorter signal
  }
  assert.equal(decodeClusterMessage(new Uint8Array([0, 0, 0, 0])), null, "kind 0");
  assert.equal(decodeClusterMessage(new Uint8Array([5, 0, 0, 0])), null, "kind 5");
  assert.equal(decodeClusterMessage(new Uint8Array([1, 9, 0, 0])), null, "node id past the end");
  assert.equal(decodeClusterMessage(new Uint8Array([2, 0, 0, 9])), null, "topic past the end");
});

test("oversized node ids and topics are refused", () => {
  assert.throws(
    () => encodeClusterMessage("n".repeat(256), { kind: "broadcast", signal }),
    RangeError,
  );
  assert.throws(
    () => encodeClusterMessage("n", { kind: "publish", topic: "t".repeat(65_536), signal }),
    RangeError,
  );
});

const batchOf = (from: string, messages: ClusterMessage[]) =>
  new Uint8Array(
    [batchHeader(from), ...messages.map(encodeBatchEntry)].flatMap((part) => [...part]),
  );

test("a batch carries its node's messages in order; a lone message decodes as a batch of one", () => {
  const messages: ClusterMessage[] = [
    { kind: "signal-session", key: "k1", signal },
    { kind: "close-session", key: "k2" },
    { kind: "publish", topic: "room:café", signal },
    { kind: "broadcast", signal: encodeSignal({ name: "b", payload: new Uint8Array(70_000) }) },
  ];
  const decoded = decodeClusterMessages(batchOf("node-9", messages));
  assert.equal(decoded?.from, "node-9");
  assert.deepEqual(
    decoded?.messages.map((m) => ({ ...m, signal: "signal" in m ? [...m.signal] : undefined })),
    messages.map((m) => ({ ...m, signal: "signal" in m ? [...m.signal] : undefined })),
  );
  const lone = decodeClusterMessages(encodeClusterMessage("n", messages[1]));
  assert.deepEqual(lone, { from: "n", messages: [messages[1]] });
  assert.deepEqual(decodeClusterMessages(batchOf("n", [])), { from: "n", messages: [] });
  assert.equal(decodeClusterMessage(batchOf("n", messages)), null, "not a lone message");
  // A batch's signals are copies: holding one does not hold the whole frame.
  for (const message of decoded?.messages ?? []) {
    if ("signal" in message) assert.equal(message.signal.buffer.byteLength, message.signal.length);
  }
});

test("a batch entry turned into a lone message is the message as encodeClusterMessage makes it", () => {
  const messages: ClusterMessage[] = [
    { kind: "signal-session", key: "k1", signal },
    { kind: "close-session", key: "" },
    { kind: "publish", topic: "room:café", signal },
    { kind: "broadcast", signal },
  ];
  for (const from of ["n", "node-with-a-longer-id"]) {
    for (const message of messages) {
      const lone = loneMessage(batchHeader(from), encodeBatchEntry(message));
      assert.deepEqual(lone, encodeClusterMessage(from, message));
    }
  }
});

test("a cut or forged batch decodes to null as a whole, never throws", () => {
  const messages: ClusterMessage[] = [
    { kind: "publish", topic: "t", signal },
    { kind: "close-session", key: "k" },
  ];
  const valid = batchOf("n", messages);
  for (let length = 0; length < valid.length; length++) {
    const decoded = decodeClusterMessages(valid.subarray(0, length));
    // A cut between two entries leaves a shorter, valid batch.
    if (decoded !== null) assert.ok(decoded.messages.length < messages.length || length === 0);
  }
  const entry = encodeBatchEntry({ kind: "close-session", key: "k" });
  const withNode = encodeClusterMessage("x", { kind: "close-session", key: "k" });
  const forged = (...parts: Uint8Array[]) =>
    decodeClusterMessages(new Uint8Array(parts.flatMap((part) => [...part])));
  const lengthOf = (n: number) =>
    new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n].map((b) => b & 255));
  assert.equal(forged(batchHeader("n"), lengthOf(withNode.length), withNode), null, "node id");
  assert.equal(forged(batchHeader("n"), lengthOf(valid.length), valid), null, "batch in a batch");
  assert.equal(forged(batchHeader("n"), lengthOf(0xffffffff), entry), null, "length past the end");
  assert.equal(forged(batchHeader("n"), lengthOf(1), new Uint8Array([9])), null, "bad kind");
  assert.equal(forged(new Uint8Array([5, 9, 110])), null, "node id past the end");
});
