// unchecked<T>() as a payload schema, over real sockets: a binary payload never reaches a
// handler typed for JSON (INVALID_PAYLOAD, an empty one is no payload), and
// unchecked<T>({ bytes: true }) lets bytes through for a contract that carries them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import { startServer } from "../testing/serve.ts";
import { type Equal, expectType } from "../testing/type_equality.ts";
import { until } from "../testing/until.ts";
import type { RequestPayload } from "./contract.ts";
import { type ContractOf, defineContract } from "./define_contract.ts";
import { createRouter } from "./router.ts";
import { TypedClient } from "./typed_client.ts";
import { unchecked } from "./unchecked.ts";

const notes = defineContract({
  requests: {
    add: { payload: unchecked<{ text: string }>(), reply: unchecked<string>() },
    upload: { payload: unchecked<Uint8Array>({ bytes: true }), reply: unchecked<number>() },
    either: { payload: unchecked<{ text: string }>({ bytes: true }), reply: unchecked<string>() },
  },
  clientSignals: { note: unchecked<{ text: string }>() },
});
type Notes = ContractOf<typeof notes>;

test("unchecked<T>() types a JSON payload; with { bytes: true } bytes are in the type", () => {
  expectType<Equal<RequestPayload<Notes, "add">, { text: string }>>();
  expectType<Equal<RequestPayload<Notes, "upload">, Uint8Array>>();
  expectType<Equal<RequestPayload<Notes, "either">, { text: string } | Uint8Array>>();
});

test("unchecked<T>() refuses a binary payload where JSON is due; { bytes: true } takes it", async () => {
  const seen: unknown[] = [];
  const rejected: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    ...createRouter(notes, {
      requests: {
        // Typed { text: string }; an empty payload is `undefined`, as with a type-declared contract.
        add: (note) => (seen.push(note), note === undefined ? "none" : note.text),
        upload: (bytes) => (seen.push(bytes), bytes.length),
        either: (value) => value instanceof Uint8Array ? `${value.length} bytes` : value.text,
      },
      clientSignals: { note: (note) => void seen.push(note) },
    }, {
      onRejectedSignal: (signal, error) => void rejected.push(`${signal.name} ${error.code}`),
    }),
  });
  const client = new Client(running.url);
  try {
    const bytes = new TextEncoder().encode('{"text":"hi"}');
    const refused = await client.request("add", bytes).catch((error: RequestError) => error);
    assert.ok(refused instanceof RequestError);
    assert.equal(refused.code, "INVALID_PAYLOAD");
    assert.match(refused.message, /^expected JSON, got raw bytes/);
    assert.deepEqual(seen, [], "the handler typed for JSON never got the bytes");

    client.signal("note", new Uint8Array([1, 2]));
    await until(() => rejected.length === 1, "the binary signal is rejected");
    assert.deepEqual(rejected, ["note INVALID_PAYLOAD"]);

    // An empty binary payload (an untyped client's default) is no payload, as an empty text one.
    assert.equal((await client.request("add", new Uint8Array(0))).text(), '"none"');
    assert.deepEqual(seen, [undefined]);
    seen.length = 0;

    // JSON still passes as it is.
    assert.equal((await client.request("add", '{"text":"hi"}')).text(), '"hi"');

    const typed = new TypedClient(client, notes);
    assert.equal(await typed.request("upload", new Uint8Array([1, 2, 3])), 3);
    assert.equal(await typed.request("upload", new Uint8Array(0)), 0, "empty bytes are bytes");
    assert.deepEqual(seen.slice(1), [new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    assert.equal(await typed.request("either", new Uint8Array([9])), "1 bytes");
    assert.equal(await typed.request("either", { text: "json" }), "json");
  } finally {
    await client.close();
    await running.close();
  }
});
