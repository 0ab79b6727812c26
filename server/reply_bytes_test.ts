import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MessageType } from "../protocol/message_type.ts";
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
  for (const [value, type] of [[{ ok: true }, "object"], [42, "number"], [true, "boolean"]]) {
    it(`a handler that returns a ${type} gets an internal error, logged as such`, () => {
      const log = logged();
      // Plain JavaScript handlers can return anything; the types do not stop them.
      const bytes = replyFor(new Uint8Array(8), value as unknown as ReplyValue, log.logger);
      assert.equal(bytes[0], MessageType.InternalErrorReply);
      assert.equal(log.lines.length, 1);
      assert.match(
        log.lines[0],
        new RegExp(`a reply must be a string, Uint8Array, Payload or undefined; got ${type}`),
      );
      assert.doesNotMatch(log.lines[0], /offset is out of bounds/);
    });
  }

  it("a string reply is encoded", () => {
    const log = logged();
    const bytes = replyFor(new Uint8Array(8), "ok", log.logger);
    assert.notEqual(bytes[0], MessageType.InternalErrorReply);
    assert.equal(log.lines.length, 0);
  });
});
