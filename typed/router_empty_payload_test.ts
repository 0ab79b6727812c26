// An empty binary payload, what an untyped client (and webwire-go's) sends for none, over real
// sockets: a payload schema that takes no bytes reads it as no payload (`undefined`), as the
// typed client's empty text one, so that an optional payload's default is filled in; a schema
// that takes bytes still gets them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client/client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { createRouter, defineContract, TypedClient, unchecked } from "./mod.ts";

const pages = defineContract({
  requests: {
    list: {
      payload: v.optional(v.object({ page: v.number() }), { page: 1 }),
      reply: unchecked<number>(),
    },
    find: { payload: v.optional(v.string()), reply: unchecked<string>() },
    name: { payload: v.string(), reply: unchecked<string>() },
    upload: { payload: v.instance(Uint8Array), reply: unchecked<number>() },
  },
  clientSignals: { ping: v.optional(v.string(), "none") },
});

test("an empty binary payload is no payload to a schema that takes no bytes", async () => {
  const heard: unknown[] = [];
  const rejected: string[] = [];
  const running = await startServer({
    ...createRouter(pages, {
      requests: {
        list: ({ page }) => page,
        find: (text) => text ?? "everything",
        name: (text) => text,
        upload: (bytes) => bytes.length,
      },
      clientSignals: { ping: (text) => void heard.push(text) },
    }, { onRejectedSignal: (_, error) => void rejected.push(error.message) }),
  });
  const client = new Client(running.url); // sends an empty binary payload for none
  try {
    const none = new Uint8Array(0);
    assert.equal((await client.request("list")).text(), "1", "the default is filled in");
    assert.equal((await client.request("list", none)).text(), "1");
    assert.equal((await client.request("find")).text(), '"everything"');
    const refused = await client.request("name").catch((error: RequestError) => error);
    assert.ok(refused instanceof RequestError && refused.code === "INVALID_PAYLOAD");
    assert.equal(refused.message, "Invalid type: Expected string but received undefined");
    assert.equal((await client.request("upload", none)).text(), "0", "empty bytes are bytes");

    await client.connect();
    client.signal("ping");
    await until(() => heard.length === 1, "the signal");
    assert.deepEqual([heard, rejected], [["none"], []]);

    const typed = new TypedClient(client, pages); // an empty text payload: as before
    assert.equal(await typed.request("list"), 1);
    assert.equal(await typed.request("find"), "everything");
    assert.equal(await typed.request("upload", none), 0);
  } finally {
    await client.close();
    await running.close();
  }
});
