// A payload schema that throws (or rejects) instead of returning issues: the router reports it
// as the schema's failure, not the handler's (one error line naming the schema and the
// request), and answers INVALID_PAYLOAD, as for a payload its schema refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { createRouter, defineContract, type StandardSchemaV1, unchecked } from "./mod.ts";

/** A hand-written schema with a bug: it reads a field of whatever it is given. */
const throwing: StandardSchemaV1<{ text: string }> = {
  "~standard": {
    version: 1,
    vendor: "handmade",
    validate: (value) => ({ value: { text: String((value as { text: string }).text) } }),
  },
};
/** The same bug in an async schema: the promise rejects. */
const rejecting: StandardSchemaV1<{ room: string }> = {
  "~standard": {
    version: 1,
    vendor: "handmade-async",
    validate: (value) => Promise.resolve().then(() => ({ value: { room: (value as never)[0] } })),
  },
};

const notes = defineContract({
  requests: { save: { payload: throwing, reply: unchecked<string>() } },
  clientSignals: { typing: rejecting },
});

test("a schema that throws is logged as its own failure, answered INVALID_PAYLOAD", async () => {
  const log = recordingLogger();
  const handled: unknown[] = [];
  const rejected: string[] = [];
  const router = createRouter(notes, {
    requests: { save: (note) => (handled.push(note), "saved") },
    clientSignals: { typing: (payload) => void handled.push(payload) },
  }, {
    logger: log.logger,
    onRejectedSignal: (signal, error) => void rejected.push(`${signal.name} ${error.code}`),
  });
  const running = await startServer({ sessionsEnabled: false, logger: log.logger, ...router });
  const client = new Client(running.url);
  try {
    const error = await client.request("save", "null").catch((error: unknown) => error);
    assert.ok(error instanceof RequestError, `an error reply, got ${String(error)}`);
    assert.equal(error.code, "INVALID_PAYLOAD");
    assert.equal(error.message, "the payload could not be checked: its schema failed");
    assert.ok(!error.message.includes("null"), "nothing of the schema's error reaches a client");
    assert.equal((await client.request("save", '{"text":"hi"}')).text(), '"saved"');

    client.signal("typing", "null");
    await until(() => rejected.length === 1, "the signal rejected");
    assert.deepEqual(rejected, ["typing INVALID_PAYLOAD"]);

    assert.deepEqual(handled, [{ text: "hi" }], "no handler ran for a payload not checked");
    const lines = log.errors.map((e) => e.message);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0], /^payload schema of request "save" \(vendor "handmade"\) threw/);
    assert.match(lines[1], /^payload schema of signal "typing" \(vendor "handmade-async"\) threw/);
    assert.ok(!lines.some((line) => line.includes("handler failed")), lines.join("\n"));
    assert.ok(log.errors[0].details[0] instanceof TypeError, "the schema's error comes with it");
    assert.ok(log.errors[1].details[0] instanceof TypeError);
    assert.deepEqual(log.warnings, []);
  } finally {
    await client.close();
    await running.close();
  }
});

test("a throwing schema with an odd vendor, logged by a throwing logger, is still INVALID_PAYLOAD", async () => {
  const odd: StandardSchemaV1<{ text: string }> = {
    "~standard": {
      version: 1,
      vendor: Object.create(null) as string, // String() of it throws
      validate: () => {
        throw new Error("a bug in the schema");
      },
    },
  };
  const contract = defineContract({
    requests: { save: { payload: odd, reply: unchecked<string>() } },
  });
  const router = createRouter(contract, { requests: { save: () => "saved" } }, {
    logger: {
      warn() {},
      error() {
        throw new Error("the logger is broken too");
      },
    },
  });
  const log = recordingLogger();
  const running = await startServer({ sessionsEnabled: false, logger: log.logger, ...router });
  const client = new Client(running.url);
  try {
    const error = await client.request("save", "{}").catch((error: unknown) => error);
    assert.ok(error instanceof RequestError, `an error reply, got ${String(error)}`);
    assert.equal(error.code, "INVALID_PAYLOAD");
    assert.deepEqual(log.errors.map((e) => e.message), [], "no handler failure logged");
  } finally {
    await client.close();
    await running.close();
  }
});
