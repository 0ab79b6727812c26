// A connection the server ends tells the client why in the DisconnectedError's message: the
// close code and the server's reason (they are on the error's `code` and `reason` too). Real
// server and client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { DisconnectedError } from "./errors.ts";

/** The `disconnected` event's error when the server closes with `code` and `reason`. */
async function closedBy(code: number, reason: string): Promise<DisconnectedError> {
  const running = await startServer({
    logger: silentLogger,
    onRequest: ({ connection }) => {
      setTimeout(() => connection.close(code, reason), 10);
      return "bye";
    },
  });
  const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
  try {
    const disconnected = new Promise<DisconnectedError>((resolve) =>
      client.addEventListener("disconnected", (event) => resolve(event.detail), { once: true })
    );
    await client.connect();
    assert.equal((await client.request("leave")).text(), "bye");
    return await disconnected;
  } finally {
    await client.close();
    await running.close();
  }
}

test("the server's close code and reason are in the message of the disconnected event", async () => {
  const error = await closedBy(4001, "go away");
  assert.ok(error instanceof DisconnectedError);
  assert.equal(error.message, 'the connection was closed (code 4001, "go away")');
  assert.equal(error.code, 4001);
  assert.equal(error.reason, "go away");
});

test("a reason with characters that would disguise it reaches the message escaped", async () => {
  // Bidirectional override, line separator, C1 controls (NEL, CSI): JSON leaves them as they are.
  const reason = "ok\u202egnp.exe\u2028fake log line\u0085\u009b31m";
  const error = await closedBy(4002, reason);
  assert.equal(
    error.message,
    'the connection was closed (code 4002, "ok\\u202egnp.exe\\u2028fake log line\\u0085\\u009b31m")',
  );
  assert.equal(error.reason, reason, "the reason itself is kept as it came");
});
