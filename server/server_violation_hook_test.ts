// An onProtocolViolation hook that sends to the connection it is told about: when the
// violation is a slow reader, that send is a slow reader's violation again. It is reported
// once, the hook does not recurse, nothing is logged as a hook failure, and the connection
// closes with 1008 as for any slow reader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { inProcessConnection } from "../testing/in_process_connection.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import type { ProtocolViolation } from "./options.ts";

test("a slow reader's violation caused again by the hook's own send is reported once", async () => {
  const { logger, errors } = recordingLogger();
  const violations: ProtocolViolation[] = [];
  const connection = inProcessConnection({
    logger,
    maxSendBuffer: 1024,
    onProtocolViolation: (connection, violation) => {
      violations.push(violation);
      connection.signal("warning", "you are too slow"); // another send to the slow reader
    },
    onRequest: (request) => request.payload,
  });
  connection.queued = 1_000_000; // nothing the server sends gets out
  connection.events.message(
    encodeRequest({ id: requestIdFromNumber(1), name: "echo", payload: "hi" }),
  );
  assert.deepEqual(violations.map((v) => v.kind), ["slow-reader"]);
  assert.equal(connection.closedWith, 1008);
  assert.deepEqual(errors, []);
  await connection.server.shutdown();
});
