import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { ClusterMessage } from "../server/cluster.ts";
import { decodeClusterMessage, encodeClusterMessage } from "./cluster_message.ts";

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
