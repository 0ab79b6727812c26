// An empty binary server signal (an untyped or Go server's signal without a payload) reads as
// `undefined` in the typed client's listeners, as an empty binary reply does, except where the
// contract's schema for the signal takes bytes. Over real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client/client.ts";
import type { Payload } from "../protocol/payload.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { defineContract } from "./define_contract.ts";
import { emptyBytesAnswerLimit } from "./empty_bytes_rule.ts";
import type { StandardSchemaV1 } from "./standard_schema.ts";
import { TypedClient } from "./typed_client.ts";
import { unchecked } from "./unchecked.ts";

/**
 * An untyped server: the request `send` with payload `name` signals `name` three times, with
 * no payload (empty bytes), the bytes [7] and no payload again, then answers.
 */
function startUntyped() {
  return startServer({
    onRequest: ({ payload, connection }) => {
      const name = payload.text();
      for (const bytes of [[], [7], []]) connection.signal(name, new Uint8Array(bytes));
      return payload;
    },
  });
}

/** Listens to `name` on `api` and has the server send its three signals; what was heard. */
async function hear(
  api: TypedClient<{ serverSignals: Record<string, unknown> }>,
  name: string,
): Promise<unknown[]> {
  const heard: unknown[] = [];
  api.on(name, (value) => void heard.push(value));
  await api.client.request("send", name);
  await until(() => heard.length === 3, `three ${name} signals`);
  return heard;
}

test("an empty binary signal is undefined for a contract declared as a type", async () => {
  const running = await startUntyped();
  type Api = { serverSignals: { ping: undefined; data: Uint8Array | undefined } };
  const api = new TypedClient<Api>(new Client(running.url));
  try {
    const raw: Payload[] = [];
    api.client.addEventListener("signal", (event) => void raw.push(event.detail.payload));
    assert.deepEqual(await hear(api, "ping"), [undefined, new Uint8Array([7]), undefined]);
    assert.deepEqual(raw.map((p) => [p.encoding, p.bytes.length]), [
      ["binary", 0],
      ["binary", 1],
      ["binary", 0],
    ], "no payload, as Go sends it");
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("an empty binary signal stays bytes where the signal's schema takes bytes, in order", async () => {
  const running = await startUntyped();
  let asked = 0;
  // Answers later: the signals wait for it, and keep their order.
  const slow: StandardSchemaV1<Uint8Array> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: async (value) => {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return value instanceof Uint8Array ? { value } : { issues: [{ message: "bytes" }] };
      },
    },
  };
  const feed = defineContract({
    serverSignals: {
      raw: unchecked<Uint8Array>({ bytes: true }),
      valibot: v.instance(Uint8Array),
      slow,
      json: unchecked<{ id: number }>(),
      nothing: v.undefined(),
    },
  });
  const api = new TypedClient(new Client(running.url), feed);
  const empty = new Uint8Array(0);
  const seven = new Uint8Array([7]);
  try {
    assert.deepEqual(await hear(api, "raw"), [empty, seven, empty]);
    assert.deepEqual(await hear(api, "valibot"), [empty, seven, empty]);
    assert.deepEqual(await hear(api, "slow"), [empty, seven, empty]);
    assert.deepEqual(await hear(api, "slow"), [empty, seven, empty]);
    assert.equal(asked, 1, "the schema is asked once per name");
    assert.deepEqual(await hear(api, "json"), [undefined, seven, undefined]);
    assert.deepEqual(await hear(api, "nothing"), [undefined, seven, undefined]);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("a listener removed while an asynchronous schema answers hears nothing more", async () => {
  const running = await startUntyped();
  const pending = Promise.withResolvers<void>();
  const held: StandardSchemaV1<Uint8Array> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: async (value) => {
        await pending.promise;
        return { value: value as Uint8Array };
      },
    },
  };
  const api = new TypedClient(new Client(running.url), defineContract({ serverSignals: { held } }));
  try {
    const heard: unknown[] = [];
    const all: string[] = [];
    api.client.addEventListener("signal", (event) => void all.push(event.detail.name));
    const stop = api.on("held", (value) => void heard.push(value));
    await api.client.request("send", "held");
    await until(() => all.length === 3, "the three signals arrived");
    stop();
    pending.resolve();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(heard, []);
  } finally {
    pending.resolve();
    await api.client.close();
    await running.close();
  }
});

/** A schema whose `validate` answers asynchronously with `result` (or never, without one). */
function asyncSchema(result?: () => unknown): StandardSchemaV1<Uint8Array> {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: () =>
        (result === undefined ? new Promise(() => {}) : Promise.resolve().then(result)) as never,
    },
  };
}

// Not a Standard Schema result: reading its `issues` throws. Before, its answer rejected: the
// signals waiting for it were held for good, and an empty binary reply rejected the request.
const broken = asyncSchema(() => null);

test("an asynchronous schema whose answer cannot be read takes no bytes, as one that throws", async () => {
  const running = await startUntyped();
  const api = new TypedClient(
    new Client(running.url),
    defineContract({ serverSignals: { broken } }),
  );
  try {
    assert.deepEqual(await hear(api, "broken"), [undefined, new Uint8Array([7]), undefined]);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("an empty binary reply is undefined where the reply schema's answer cannot be read", async () => {
  const running = await startServer({ onRequest: () => new Uint8Array(0) });
  const api = new TypedClient(
    new Client(running.url),
    defineContract({ requests: { none: { reply: broken } } }),
  );
  try {
    assert.equal(await api.request("none"), undefined);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("a signal with a payload does not wait for an asynchronous schema that never answers", async () => {
  const running = await startServer({
    onRequest: ({ connection }) => {
      connection.signal("hung", new Uint8Array([7]));
      connection.signal("hung", '{"id":1}');
      return "sent";
    },
  });
  const api = new TypedClient(
    new Client(running.url),
    defineContract({ serverSignals: { hung: asyncSchema() } }),
  );
  try {
    const heard: unknown[] = [];
    api.on("hung", (value) => void heard.push(value));
    await api.client.request("send");
    await until(() => heard.length === 2, "both signals");
    assert.deepEqual(heard, [new Uint8Array([7]), { id: 1 }]);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("listeners of one name hear signals in the order they were added, one waiting or not", async () => {
  const answered = Promise.withResolvers<void>();
  const held: StandardSchemaV1<Uint8Array> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: async (value) => {
        await answered.promise;
        return { value: value as Uint8Array };
      },
    },
  };
  const running = await startServer({
    onRequest: ({ payload, connection }) => {
      connection.signal("held", payload.text() === "empty" ? new Uint8Array(0) : "1");
      return "sent";
    },
  });
  const api = new TypedClient(new Client(running.url), defineContract({ serverSignals: { held } }));
  try {
    const heard: string[] = [];
    const show = (value: unknown) => value instanceof Uint8Array ? `${value.length} bytes` : value;
    api.on("held", (value) => void heard.push(`first ${show(value)}`));
    await api.client.request("send", "empty"); // waits for the schema in the first listener
    api.on("held", (value) => void heard.push(`second ${show(value)}`));
    await api.client.request("send", "one");
    answered.resolve();
    await until(() => heard.length === 3, "three deliveries");
    assert.deepEqual(heard, ["first 0 bytes", "first 1", "second 1"]);
  } finally {
    answered.resolve();
    await api.client.close();
    await running.close();
  }
});

test("an asynchronous schema that never answers takes no bytes after a second", async () => {
  const never: StandardSchemaV1<Uint8Array> = {
    "~standard": { version: 1, vendor: "test", validate: () => new Promise(() => {}) },
  };
  const empty = await startServer({ onRequest: () => new Uint8Array(0) });
  const untyped = await startUntyped();
  const replies = new TypedClient(
    new Client(empty.url),
    defineContract({ requests: { none: { reply: never } } }),
  );
  const signals = new TypedClient(
    new Client(untyped.url),
    defineContract({ serverSignals: { never } }),
  );
  try {
    const started = performance.now();
    assert.equal(await replies.request("none"), undefined);
    const waited = performance.now() - started;
    assert.ok(waited >= emptyBytesAnswerLimit - 50 && waited < 5000, `waited ${waited} ms`);
    assert.deepEqual(await hear(signals, "never"), [undefined, new Uint8Array([7]), undefined]);
  } finally {
    await replies.client.close();
    await signals.client.close();
    await empty.close();
    await untyped.close();
  }
});

test("a schema that answers after the second is heard from then on", async () => {
  let answered = false;
  const late: StandardSchemaV1<Uint8Array> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: async (value) => {
        await new Promise((resolve) => setTimeout(resolve, emptyBytesAnswerLimit + 300));
        answered = true;
        return { value: value as Uint8Array };
      },
    },
  };
  const running = await startServer({ onRequest: () => new Uint8Array(0) });
  const api = new TypedClient(
    new Client(running.url),
    defineContract({ requests: { none: { reply: late } } }),
  );
  try {
    assert.equal(await api.request("none"), undefined, "past the limit: no bytes");
    await until(() => answered, "the schema's answer");
    assert.deepEqual(await api.request("none"), new Uint8Array(0), "its answer is kept");
  } finally {
    await api.client.close();
    await running.close();
  }
});
