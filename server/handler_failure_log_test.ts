// Any client can make a handler fail on every request (input it does not expect): the failures
// are logged at most 10 per 10 s, then counted in one line, as protocol violations are. Every
// request still gets its internal-error reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

test("a flood of handler failures writes 10 lines and a count, not one line each", async () => {
  const { logger, errors } = recordingLogger();
  let signalsSeen = 0;
  const running = await startServer({
    logger,
    sessionsEnabled: false,
    onRequest: (request) => JSON.parse(request.payload.text()),
    onSignal: () => {
      signalsSeen++;
      throw new Error("no signals here");
    },
  });
  const client = await RawClient.handshake(running.url);
  try {
    for (let id = 1; id <= 40; id++) {
      client.send(encodeRequest({ id: requestIdFromNumber(id), name: "parse", payload: "{" }));
    }
    for (let i = 0; i < 10; i++) client.send(encodeSignal({ name: "tap", payload: "x" }));
    for (let id = 1; id <= 40; id++) {
      const reply = await client.next();
      assert.equal(reply.kind, "internal-error-reply", `request ${id}`);
    }
    await until(() => signalsSeen === 10, "every signal reached its handler");
  } finally {
    client.close();
    await running.close(); // the shutdown says what was left out
  }
  assert.equal(errors.length, 11);
  assert.equal(errors[0].message, `request handler failed (request "parse")`);
  assert.ok(errors[0].details[0] instanceof SyntaxError, "the first ones with their error");
  assert.match(
    errors[10].message,
    /^40 more handler failures not logged \(at most 10 per 10 s; catch in the handler /,
  );
});
