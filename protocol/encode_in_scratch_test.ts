import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "./decode.ts";
import { encodeReply, encodeSignal } from "./encode_payload_message.ts";
import { encodeReplyInScratch, encodeSignalInScratch } from "./encode_in_scratch.ts";
import { maxScratchMessageSize, scratchBuffer } from "./message_scratch.ts";
import { readManifest, vectorBytes } from "../conformance/vector_files.ts";
import { requestIdFromNumber } from "./request_id.ts";

/** The bytes an encoder returns (copied: the next scratch encode overwrites them), or its error. */
function outcome(encode: () => Uint8Array): Uint8Array | string {
  try {
    return encode().slice();
  } catch (error) {
    return String(error);
  }
}

/** Fills the scratch buffer with junk, so that a byte a writer skips would show. */
function dirty(): void {
  scratchBuffer(maxScratchMessageSize).fill(0xa5);
}

test("scratch encoders write the public encoders' bytes for every vector, over junk", async () => {
  const manifest = await readManifest();
  let compared = 0;
  for (const vector of manifest.vectors) {
    if (vector.expect === undefined) continue;
    const m = decodeMessage(await vectorBytes(vector));
    let pair: [() => Uint8Array, () => Uint8Array] | undefined;
    if (m.kind === "signal") pair = [() => encodeSignalInScratch(m), () => encodeSignal(m)];
    else if (m.kind === "reply") pair = [() => encodeReplyInScratch(m), () => encodeReply(m)];
    if (pair === undefined) continue;
    dirty();
    const [scratch, own] = pair.map(outcome);
    assert.deepEqual(scratch, own, vector.id);
    if (vector.canonical === true) assert.deepEqual(scratch, m.bytes, vector.id);
    compared++;
  }
  assert.ok(compared >= 30, `expected at least 30 signal and reply vectors, got ${compared}`);
});

test("scratch encoders write every byte of text payloads, names and UTF-16 padding", () => {
  const id = requestIdFromNumber(3);
  const texts = ["", "x", "héllo wörld", "emoji 🎉", "lone \ud800 surrogate", "z".repeat(3000)];
  for (const text of texts) {
    for (const encoding of ["utf8", "utf16"] as const) {
      for (const name of ["a", "ab", undefined]) {
        dirty();
        assert.deepEqual(
          outcome(() => encodeReplyInScratch({ id, payload: text, encoding })),
          outcome(() => encodeReply({ id, payload: text, encoding })),
          `reply ${encoding} ${JSON.stringify(text.slice(0, 20))}`,
        );
        dirty();
        assert.deepEqual(
          outcome(() => encodeSignalInScratch({ name, payload: text, encoding })),
          outcome(() => encodeSignal({ name, payload: text, encoding })),
          `signal ${name} ${encoding} ${JSON.stringify(text.slice(0, 20))}`,
        );
      }
    }
  }
});

test("scratch messages share one buffer; a message over the limit gets its own", () => {
  const id = requestIdFromNumber(1);
  const first = encodeReplyInScratch({ id, payload: "a" });
  const second = encodeSignalInScratch({ name: "s", payload: "b" });
  assert.equal(first.buffer, second.buffer);
  assert.equal(first.byteOffset, second.byteOffset);
  const large = encodeReplyInScratch({ id, payload: new Uint8Array(maxScratchMessageSize) });
  assert.notEqual(large.buffer, first.buffer);
  assert.equal(large.buffer.byteLength, maxScratchMessageSize + 9);
});
