// The slow-reader close says which case it is: a client that reads too slowly, or one message
// larger than maxSendBuffer by itself (no client can take it, however fast it reads). The core
// over an in-process socket whose queued bytes the test sets, as a runtime reports them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { inProcessConnection } from "../testing/in_process_connection.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import type { ProtocolViolation } from "./options.ts";

for (
  const [what, replySize] of [["one reply larger than the limit", 4096], ["many", 100]] as const
) {
  test(`the slow-reader message tells ${what} from a client that does not read`, async () => {
    const { logger } = recordingLogger();
    const violations: ProtocolViolation[] = [];
    const connection = inProcessConnection({
      logger,
      maxSendBuffer: 1024,
      onProtocolViolation: (_connection, violation) => void violations.push(violation),
      onRequest: () => "x".repeat(replySize),
    });
    connection.queued = 5000; // what the runtime reports queued, whatever is sent
    connection.events.message(encodeRequest({ id: requestIdFromNumber(1), name: "get" }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(violations.map((v) => v.kind), ["slow-reader"]);
    const { message } = violations[0];
    assert.match(message, /^\d+ bytes queued for the client, more than maxSendBuffer \(1024\)/);
    if (replySize > 1024) {
      assert.match(message, /after one message of \d+ bytes, larger than the limit by itself/);
    } else {
      assert.match(message, /it does not read, or not fast enough$/);
    }
    assert.equal(connection.closedWith, 1008);
    await connection.server.shutdown();
  });
}
