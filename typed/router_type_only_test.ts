// What a contract declared as a type (no schemas, so no check at run time beyond the JSON)
// lets through to its handlers: JSON only, the same on every runtime. A binary payload is
// refused, not handed over as a Uint8Array typed as something else; a `__proto__` key is
// refused, as runtimes disagree on what assigning it does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { createRouter, defineContract } from "./mod.ts";

interface Notes {
  requests: {
    save: { payload: { text: string }; reply: string };
    count: { reply: number };
  };
  clientSignals: { typing: { room: string } };
}

/** A server for {@link Notes} that records what its handlers got and what was rejected. */
async function startNotes() {
  const log = recordingLogger();
  const saved: unknown[] = [];
  const typing: unknown[] = [];
  const rejected: string[] = [];
  const router = createRouter(defineContract<Notes>(), {
    requests: {
      save: (note) => (saved.push(note), `saved ${typeof note}`),
      count: (none) => (saved.push(none), saved.length),
    },
    clientSignals: { typing: (payload) => void typing.push(payload) },
  }, {
    logger: log.logger,
    onRejectedSignal: (signal, error) => void rejected.push(`${signal.name} ${error.code}`),
  });
  const running = await startServer({ sessionsEnabled: false, logger: log.logger, ...router });
  return { running, log, saved, typing, rejected, client: new Client(running.url) };
}

const refusal = async (request: Promise<unknown>): Promise<string> => {
  const error = await request.then(() => undefined, (error: unknown) => error);
  assert.ok(error instanceof RequestError, `refused with a RequestError, got ${String(error)}`);
  return `${error.code}: ${error.message}`;
};

test("type-only contracts refuse binary payloads (BAD_PAYLOAD), warned once per name", async () => {
  const { running, log, saved, typing, rejected, client } = await startNotes();
  try {
    const bytes = new TextEncoder().encode('{"text":"hi"}'); // JSON, but sent as bytes
    for (let i = 0; i < 3; i++) {
      assert.equal(
        await refusal(client.request("save", bytes)),
        "BAD_PAYLOAD: the payload is binary (raw bytes): send JSON as UTF-8",
      );
    }
    client.signal("typing", new Uint8Array([1, 2]));
    client.signal("typing", new Uint8Array([3]));
    client.signal("typing", '{"room":"lobby"}');
    await until(() => typing.length === 1, "the UTF-8 signal handled");
    assert.deepEqual(rejected, ["typing BAD_PAYLOAD", "typing BAD_PAYLOAD"]);
    // An empty payload is no payload in every encoding (an untyped client's default: binary).
    assert.equal((await client.request("count")).text(), "1");
    assert.equal((await client.request("save", '{"text":"hi"}')).text(), '"saved object"');
    assert.deepEqual(saved, [undefined, { text: "hi" }], "no Uint8Array reached a handler");
    assert.deepEqual(typing, [{ room: "lobby" }]);
    // Once per name: a client sends these at will, the warning is for whoever runs the server.
    assert.equal(log.warnings.length, 2, log.warnings.join("\n"));
    assert.match(log.warnings[0], /^binary payload to request "save" refused: .*schema/);
    assert.match(log.warnings[1], /^binary payload to signal "typing" refused: /);
    assert.deepEqual(log.errors, []);
  } finally {
    await client.close();
    await running.close();
  }
});

test("a JSON payload with a __proto__ key is refused (BAD_PAYLOAD) on every runtime", async () => {
  const { running, saved, typing, rejected, client } = await startNotes();
  try {
    const payloads = [
      '{"__proto__":{"admin":true},"text":"hi"}',
      '{"text":"hi","meta":[{"__proto__":null}]}',
      '{"\\u005f_proto__":{"admin":true},"text":"hi"}', // the same key, escaped
    ];
    for (const payload of payloads) {
      assert.match(
        await refusal(client.request("save", payload)),
        /^BAD_PAYLOAD: the payload has a "__proto__" key/,
        payload,
      );
      client.signal("typing", payload);
    }
    // Other names are data like any, the same everywhere: JSON.parse sets no prototype.
    const plain = '{"text":"hi","constructor":{"prototype":{"admin":true}},"proto":1}';
    assert.equal((await client.request("save", plain)).text(), '"saved object"');
    client.signal("typing", '{"room":"lobby"}');
    await until(() => typing.length === 1, "the plain signal handled");
    assert.deepEqual(rejected, Array(3).fill("typing BAD_PAYLOAD"));
    assert.equal(saved.length, 1, "only the plain payload reached the handler");
    assert.equal(Object.getPrototypeOf(saved[0]), Object.prototype);
    assert.deepEqual(Object.keys(saved[0] as object), ["text", "constructor", "proto"]);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  } finally {
    await client.close();
    await running.close();
  }
});
