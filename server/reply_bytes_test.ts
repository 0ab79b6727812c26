import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MessageType } from "../protocol/message_type.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { Payload } from "../protocol/payload.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import type { ReplyValue } from "./incoming.ts";
import { replyFor } from "./reply_bytes.ts";

function logged(): {
  logger: { warn(...data: unknown[]): void; error(...data: unknown[]): void };
  lines: string[];
} {
  const lines: string[] = [];
  const push = (...data: unknown[]) => lines.push(data.map(String).join(" "));
  return { logger: { warn: push, error: push }, lines };
}

describe("replyFor", () => {
  const cases = [
    [{ ok: true }, "an object \\(Object\\)"],
    [new ArrayBuffer(2), "an object \\(ArrayBuffer\\)"],
    [new Uint16Array(1), "an object \\(Uint16Array\\)"],
    [42, "a number"],
    [true, "a boolean"],
  ] as const;
  for (const [value, kind] of cases) {
    it(`a handler that returns ${kind.replaceAll("\\", "")} gets an internal error, logged`, () => {
      const log = logged();
      // Plain JavaScript handlers can return anything; the types do not stop them.
      const request = encodeRequest({ id: requestIdFromNumber(1), name: "q" });
      const bytes = replyFor(request, value as unknown as ReplyValue, log.logger, undefined, "q");
      assert.equal(bytes[0], MessageType.InternalErrorReply);
      assert.equal(log.lines.length, 1);
      assert.match(
        log.lines[0],
        new RegExp(
          `request handler failed \\(request "q"\\): a reply must be a string, Uint8Array, ` +
            `Payload or undefined; got ${kind} \\(return an object as JSON.stringify`,
        ),
      );
      assert.doesNotMatch(log.lines[0], /offset is out of bounds/);
    });
  }

  it("a string reply is encoded", () => {
    const log = logged();
    const bytes = replyFor(new Uint8Array(9), "ok", log.logger);
    assert.notEqual(bytes[0], MessageType.InternalErrorReply);
    assert.equal(log.lines.length, 0);
  });

  it("every reply carries the request's id, also the internal error for a bad value", () => {
    const log = logged();
    const id = requestIdFromNumber(0x060504030201);
    const request = encodeRequest({ id, name: "q" });
    const values: unknown[] = [
      undefined,
      null,
      "ok",
      new Uint8Array([1]),
      Payload.from("x", "utf16"),
      42,
    ];
    for (const value of values) {
      const reply = decodeMessage(replyFor(request, value as ReplyValue, log.logger));
      assert.ok(reply.kind === "reply" || reply.kind === "internal-error-reply", reply.kind);
      assert.deepEqual(reply.id, id, String(value));
    }
    // A UTF-16 payload of odd length cannot be encoded: an internal error, with the id.
    const odd = replyFor(request, new Payload(new Uint8Array(3), "utf16"), log.logger);
    assert.deepEqual(decodeMessage(odd).kind, "internal-error-reply");
    assert.deepEqual(odd.subarray(1, 9), id);
  });
});
