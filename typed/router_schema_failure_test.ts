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

test("a schema whose issues are not a list of issues fails as a schema, logged 1st, 10th, 100th", async () => {
  /** Returns `issues` that are not issue objects: the schema's bug, never the handler's. */
  const odd = (issues: unknown, vendor: string): StandardSchemaV1<string> => ({
    "~standard": {
      version: 1,
      vendor,
      validate: () => Promise.resolve({ issues } as never),
    },
  });
  const contract = defineContract({
    requests: {
      text: { payload: odd("oops", "text-issues"), reply: unchecked<string>() },
      nulls: { payload: odd([null], "null-issue"), reply: unchecked<string>() },
      path: {
        payload: odd([{ message: "m", path: "abc" }], "string-path"),
        reply: unchecked<string>(),
      },
    },
    clientSignals: { typing: odd([null], "signal-issue") },
  });
  const log = recordingLogger();
  const rejected: string[] = [];
  const router = createRouter(contract, {
    requests: { text: () => "ran", nulls: () => "ran", path: () => "ran" },
    clientSignals: { typing: () => {} },
  }, {
    logger: log.logger,
    onRejectedSignal: (signal, error) => void rejected.push(`${signal.name} ${error.code}`),
  });
  const running = await startServer({ sessionsEnabled: false, logger: log.logger, ...router });
  const client = new Client(running.url);
  try {
    for (const name of ["text", "nulls", "path"]) {
      const error = await client.request(name, '"x"').catch((error: unknown) => error);
      assert.ok(error instanceof RequestError, `${name}: an error reply, got ${String(error)}`);
      assert.equal(error.code, "INVALID_PAYLOAD", name);
      assert.equal(error.message, "the payload could not be checked: its schema failed");
    }
    for (let i = 1; i < 12; i++) await client.request("nulls", '"x"').catch(() => {});
    client.signal("typing", '"x"');
    await until(() => rejected.length === 1, "the signal rejected");
    assert.deepEqual(rejected, ["typing INVALID_PAYLOAD"]);
    const lines = log.errors.map((e) => e.message);
    // nulls: its 1st and 10th failure of 12; the others once each.
    assert.equal(lines.length, 5, lines.join("\n"));
    assert.equal(lines.filter((line) => line.includes('request "nulls"')).length, 2);
    assert.ok(lines.every((line) => / threw/.test(line)), lines.join("\n"));
  } finally {
    await client.close();
    await running.close();
  }
});

test("a logger whose warn throws does not turn a refused binary payload into an internal error", async () => {
  const contract = defineContract<{ requests: { save: { payload: { text: string } } } }>();
  const router = createRouter(contract, { requests: { save: () => {} } }, {
    logger: {
      warn() {
        throw new Error("the logger is broken");
      },
      error() {},
    },
  });
  const running = await startServer({ sessionsEnabled: false, ...router });
  const client = new Client(running.url);
  try {
    for (let i = 0; i < 2; i++) {
      const error = await client.request("save", new Uint8Array([1])).catch((e: unknown) => e);
      assert.ok(error instanceof RequestError, `an error reply, got ${String(error)}`);
      assert.equal(error.code, "BAD_PAYLOAD", `request ${i + 1}`);
    }
  } finally {
    await client.close();
    await running.close();
  }
});
