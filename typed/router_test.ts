// The typed router's error replies, byte for byte, on every adapter: what a client of any
// kind (a raw socket here) gets for unknown names, payloads that are not JSON, payloads that
// fail their schema, and failing handlers; and that none of it harms the connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startChat } from "../testing/typed_chat.ts";
import { until } from "../testing/until.ts";
import { adaptersOfThisRuntime } from "../testing/serve.ts";

const adapters = adaptersOfThisRuntime;
let nextId = 1;

interface Answer {
  /** `reply`, `error-reply`, `internal-error-reply`, ... */
  kind: string;
  /** The reply's encoding, or the error code. */
  code: string;
  /** The reply's payload text, or the error message. */
  text: string;
}

async function ask(
  client: RawClient,
  name: string,
  payload: string | Uint8Array = "",
  encoding?: PayloadEncoding,
): Promise<Answer> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name, payload, encoding }));
  for (;;) {
    const message = await client.next(5000);
    if (message.kind === "signal") continue;
    if (message.kind === "reply") {
      const text = new TextDecoder().decode(message.payload);
      return { kind: message.kind, code: message.encoding, text };
    }
    if (message.kind === "error-reply") {
      return { kind: message.kind, code: message.codeText, text: message.messageText };
    }
    return { kind: message.kind, code: "", text: "" };
  }
}

for (const adapter of adapters) {
  test(`a typed router answers each kind of bad request with its code (${adapter} adapter)`, async () => {
    const { running } = await startChat({ adapter });
    const client = await RawClient.handshake(running.url);
    try {
      for (const name of ["nope", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
        assert.deepEqual(await ask(client, name, "{}"), {
          kind: "error-reply",
          code: "UNKNOWN_REQUEST",
          text: `no request named ${JSON.stringify(name)}`,
        });
      }
      const long = "x".repeat(200);
      const unknown = await ask(client, long, "1");
      assert.equal(unknown.code, "UNKNOWN_REQUEST");
      assert.ok(unknown.text.length < 100, "the name is clipped in the message");

      const badPayloads: [string | Uint8Array, PayloadEncoding][] = [
        ['{"room":', "utf8"],
        ["undefined", "utf8"],
        [new Uint8Array([0xff, 0xfe, 0x7b]), "utf8"], // not UTF-8
        [new Uint8Array([0x00, 0xd8]), "utf16"], // a lone surrogate
        ["{'room': 1}", "utf16"],
      ];
      for (const [payload, encoding] of badPayloads) {
        const answer = await ask(client, "say", payload, encoding);
        assert.equal(answer.code, "BAD_PAYLOAD", `${encoding} ${String(payload)}`);
        assert.ok(!answer.text.includes("room"), "the parser's message (quoting input) is kept");
      }

      const invalid = await ask(client, "say", JSON.stringify({ room: "", text: 7 }));
      assert.equal(invalid.code, "INVALID_PAYLOAD");
      assert.match(invalid.text, /^room: Invalid length: .*; text: Invalid type: Expected string/);

      // valibot's timestamp message quotes the input: the summary keeps it short.
      const huge = "9".repeat(7000);
      const quoted = await ask(client, "age", JSON.stringify(huge));
      assert.equal(quoted.code, "INVALID_PAYLOAD");
      assert.ok(quoted.text.length <= 200 && quoted.text.startsWith("Invalid timestamp"));

      const binaryJson = await ask(client, "say", new TextEncoder().encode('{"room":"a"}'));
      assert.equal(binaryJson.code, "INVALID_PAYLOAD");
      assert.match(binaryJson.text, /send JSON as UTF-8\)$/);

      const missing = await ask(client, "history");
      assert.deepEqual([missing.code, missing.text], [
        "INVALID_PAYLOAD",
        "Invalid type: Expected string but received undefined",
      ]);

      // A schema-built contract gives "count" no payload schema: it takes no payload at all.
      for (const [payload, encoding] of [["5", "utf8"], [new Uint8Array(2), "binary"]] as const) {
        const none = await ask(client, "count", payload, encoding);
        assert.equal(none.code, "INVALID_PAYLOAD", encoding);
        assert.match(none.text, /^the request takes no payload \((1 byte|2 bytes) sent\)$/);
      }
      assert.deepEqual(await ask(client, "count", new Uint8Array(0), "binary"), {
        kind: "reply",
        code: "utf8",
        text: "0",
      });

      assert.deepEqual(await ask(client, "forbidden", '"because"'), {
        kind: "error-reply",
        code: "FORBIDDEN",
        text: "not allowed: because",
      });
      assert.equal((await ask(client, "broken")).kind, "internal-error-reply");

      // After all that, the same connection still works.
      assert.deepEqual(await ask(client, "say", '{"room":"lobby","text":"hi"}'), {
        kind: "reply",
        code: "utf8",
        text: '{"id":1}',
      });
      assert.deepEqual(await ask(client, "count"), { kind: "reply", code: "utf8", text: "1" });
      assert.deepEqual(await ask(client, "say", '{"room":"lobby","text":"hi"}', "utf16"), {
        kind: "reply",
        code: "utf8",
        text: '{"id":2}',
      });
    } finally {
      client.close();
      await running.close();
    }
  });

  test(`a typed router drops client signals that do not fit and reports why (${adapter} adapter)`, async () => {
    const started = await startChat({ adapter });
    const client = await RawClient.handshake(started.running.url);
    try {
      const send = (name: string, payload: string | Uint8Array) =>
        client.send(encodeSignal({ name, payload }));
      send("shout", '{"room":"a"}');
      send("typing", "{");
      send("typing", '{"room":""}');
      send("constructor", "{}");
      send("typing", '{"room":"lobby"}');
      await until(() => started.rejected.length === 4 && started.typing.length === 1, "signals");
      const codes = started.rejected.map((r) => `${r.name} ${r.code}`).sort();
      assert.deepEqual(codes, [
        "constructor UNKNOWN_SIGNAL",
        "shout UNKNOWN_SIGNAL",
        "typing BAD_PAYLOAD",
        "typing INVALID_PAYLOAD",
      ]);
      assert.deepEqual(started.typing, [{ room: "lobby" }]);
      // The handler subscribed the connection and published to it: the typed server signal.
      const pushed = await client.next(5000);
      assert.ok(pushed.kind === "signal" && pushed.nameText === "typing");
      assert.equal(new TextDecoder().decode(pushed.payload), '{"room":"lobby"}');
      assert.equal(pushed.bytes[0], 64, "a UTF-8 signal");
    } finally {
      client.close();
      await started.running.close();
    }
  });
}

test("the INVALID_PAYLOAD summary stays under the configured length", async () => {
  const { running } = await startChat({ maxIssueSummary: 40 });
  const client = await RawClient.handshake(running.url);
  try {
    const answer = await ask(client, "say", JSON.stringify({ room: 1, text: 2 }));
    assert.equal(answer.code, "INVALID_PAYLOAD");
    assert.equal(answer.text.length, 40);
    assert.ok(answer.text.endsWith("…"));
  } finally {
    client.close();
    await running.close();
  }
});

test("the INVALID_PAYLOAD summary of a binary payload stays under the length too", async () => {
  for (const maxIssueSummary of [30, 80, 200]) {
    const { running } = await startChat({ maxIssueSummary });
    const client = await RawClient.handshake(running.url);
    try {
      const bytes = new TextEncoder().encode(JSON.stringify({ room: 1, text: 2 }));
      const answer = await ask(client, "say", bytes, "binary");
      assert.equal(answer.code, "INVALID_PAYLOAD");
      assert.ok(
        answer.text.length <= maxIssueSummary,
        `${answer.text.length} > ${maxIssueSummary}`,
      );
      // The hint where there is room for it and a summary.
      assert.equal(answer.text.endsWith("send JSON as UTF-8)"), maxIssueSummary >= 80);
    } finally {
      client.close();
      await running.close();
    }
  }
});

test("whatever a client sends, a typed server answers with a reply or an error reply", async () => {
  const started = await startChat();
  const client = await RawClient.handshake(started.running.url);
  const names = ["say", "history", "count", "avatar", "age", "forbidden", "nope", "typing"];
  const json = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? "");
  const payload = fc.oneof(
    json,
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }),
    fc.constant("[".repeat(3000)),
  );
  const encoding = fc.constantFrom<PayloadEncoding>("binary", "utf8", "utf16");
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), payload, encoding, async (name, p, e) => {
        let bytes = typeof p === "string" && e !== "utf16" ? new TextEncoder().encode(p) : p;
        // A UTF-16 payload has an even length, or it is not a message at all.
        if (e === "utf16" && typeof bytes !== "string") {
          bytes = bytes.subarray(0, bytes.length & ~1);
        }
        const answer = await ask(client, name, bytes, e);
        assert.ok(
          answer.kind === "reply" || answer.kind === "error-reply",
          `${name} ${e}: ${answer.kind}`,
        );
        if (answer.kind === "error-reply") assert.ok(answer.text.length <= 200);
      }),
      { numRuns: 150 },
    );
    client.send(encodeSignal({ name: "typing", payload: "[".repeat(3000) }));
    assert.deepEqual(await ask(client, "count"), {
      kind: "reply",
      code: "utf8",
      text: String(started.messages.length),
    });
  } finally {
    client.close();
    await started.running.close();
  }
});
