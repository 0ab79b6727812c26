// An empty binary reply (an untyped or Go server's "no value") reads as `undefined` in the
// typed client, as the router reads an empty binary payload, except where the contract's reply
// schema takes bytes: there it stays an empty Uint8Array. Over real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client/client.ts";
import { startServer } from "../testing/serve.ts";
import { defineContract } from "./define_contract.ts";
import type { StandardSchemaV1 } from "./standard_schema.ts";
import { TypedClient } from "./typed_client.ts";
import { unchecked } from "./unchecked.ts";

/** An untyped server: `bytes` answers [1, 2], `none` no value, everything else empty bytes. */
function startUntyped() {
  return startServer({
    onRequest: ({ name }) =>
      name === "bytes" ? new Uint8Array([1, 2]) : name === "none" ? undefined : new Uint8Array(0),
  });
}

test("an empty binary reply is undefined for a contract declared as a type", async () => {
  const running = await startUntyped();
  type Api = { requests: { none: { reply: undefined }; bytes: { reply: Uint8Array } } };
  const api = new TypedClient<Api>(new Client(running.url));
  try {
    const raw = await api.client.request("none");
    assert.deepEqual([raw.encoding, raw.bytes.length], ["binary", 0], "no value, as Go sends it");
    assert.equal(await api.request("none"), undefined);
    assert.deepEqual(await api.request("bytes"), new Uint8Array([1, 2]), "bytes stay bytes");
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("an empty binary reply stays bytes where the reply schema takes bytes", async () => {
  const running = await startUntyped();
  let asked = 0;
  const counting: StandardSchemaV1<Uint8Array> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (value) => (asked++, value instanceof Uint8Array ? { value } : { issues: [] }),
    },
  };
  const throwing: StandardSchemaV1<undefined> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: () => {
        throw new Error("a broken schema");
      },
    },
  };
  const files = defineContract({
    requests: {
      raw: { reply: unchecked<Uint8Array>({ bytes: true }) },
      valibot: { reply: v.instance(Uint8Array) },
      counted: { reply: counting },
      json: { reply: unchecked<{ id: number }>() },
      nothing: { reply: v.undefined() },
      broken: { reply: throwing },
      noReply: {},
    },
  });
  const api = new TypedClient(new Client(running.url), files);
  try {
    assert.deepEqual(await api.request("raw"), new Uint8Array(0));
    assert.deepEqual(await api.request("valibot"), new Uint8Array(0));
    assert.deepEqual(await api.request("counted"), new Uint8Array(0));
    assert.deepEqual(await api.request("counted"), new Uint8Array(0));
    assert.equal(asked, 1, "the reply schema is asked once per name");
    // unchecked<T>() reads an empty Uint8Array as no value; v.undefined() refuses bytes.
    assert.equal(await api.request("json"), undefined);
    assert.equal(await api.request("nothing"), undefined);
    assert.equal(await api.request("broken"), undefined);
    assert.equal(await api.request("noReply"), undefined);
  } finally {
    await api.client.close();
    await running.close();
  }
});
