import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "./decode.ts";
import { encodeReply, encodeRequest, encodeSignal } from "./encode_payload_message.ts";
import { encodeReplyInSlab, encodeRequestInSlab, encodeSignalInSlab } from "./encode_in_slab.ts";
import { readManifest, vectorBytes } from "../conformance/vector_files.ts";
import { requestIdFromNumber } from "./request_id.ts";

/** The bytes an encoder returns, or the message of the error it throws. */
function outcome(encode: () => Uint8Array): Uint8Array | string {
  try {
    return encode();
  } catch (error) {
    return String(error);
  }
}

test("slab encoders write the public encoders' bytes for every conformance vector they can", async () => {
  const manifest = await readManifest();
  let compared = 0;
  for (const vector of manifest.vectors) {
    if (vector.expect === undefined) continue;
    const m = decodeMessage(await vectorBytes(vector));
    let pair: [() => Uint8Array, () => Uint8Array] | undefined;
    if (m.kind === "signal") pair = [() => encodeSignalInSlab(m), () => encodeSignal(m)];
    else if (m.kind === "request") pair = [() => encodeRequestInSlab(m), () => encodeRequest(m)];
    else if (m.kind === "reply") pair = [() => encodeReplyInSlab(m), () => encodeReply(m)];
    if (pair === undefined) continue;
    const [slab, own] = pair.map(outcome);
    assert.deepEqual(slab, own, vector.id);
    if (vector.canonical === true) assert.deepEqual(slab, m.bytes, vector.id);
    compared++;
  }
  assert.ok(
    compared >= 50,
    `expected at least 50 signal, request and reply vectors, got ${compared}`,
  );
});

test("slab encoders throw what the public encoders throw", () => {
  const id = requestIdFromNumber(1);
  assert.throws(() => encodeSignalInSlab({}), /needs a name, a payload or both/);
  assert.throws(() => encodeRequestInSlab({ id: new Uint8Array(7), name: "a" }), RangeError);
  assert.throws(() => encodeReplyInSlab({ id, payload: new Uint8Array(3), encoding: "utf16" }), {
    name: "RangeError",
  });
});

test("a slab-encoded message stays intact after many later encodes", () => {
  const id = requestIdFromNumber(7);
  const kept: Array<{ bytes: Uint8Array; expected: Uint8Array }> = [];
  for (let i = 0; i < 100_000; i++) {
    const payload = new Uint8Array(1 + (i % 40)).fill(i & 0xff);
    const bytes = i % 2 === 0
      ? encodeReplyInSlab({ id, payload })
      : encodeSignalInSlab({ name: "tick", payload: `n${i}` });
    if (i % 5_000 === 0 || i % 5_000 === 1) {
      const expected = i % 2 === 0
        ? encodeReply({ id, payload })
        : encodeSignal({ name: "tick", payload: `n${i}` });
      kept.push({ bytes, expected });
    }
  }
  for (const { bytes, expected } of kept) assert.deepEqual(bytes, expected);
});

test("the public encoders return arrays whose buffer is their own", () => {
  const id = requestIdFromNumber(1);
  for (
    const bytes of [
      encodeSignal({ name: "a", payload: "b" }),
      encodeRequest({ id, name: "a", payload: new Uint8Array(16) }),
      encodeReply({ id, payload: "ok" }),
    ]
  ) {
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.length);
  }
});

test("encoding into a target copies a payload that is a later view of that target", () => {
  const id = requestIdFromNumber(1);
  const target = new Uint8Array(64);
  for (let i = 0; i < 64; i++) target[i] = i;
  // The reply's payload goes to 9..29 and overlaps its source, 15..35.
  const payload = target.subarray(15, 35);
  const expected = encodeReply({ id, payload: payload.slice() });
  assert.deepEqual(encodeReply({ id, payload }, target, 0), expected);
});
