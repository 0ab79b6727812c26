// A session's maximum age is a wall-clock deadline (its creation time plus `sessionMaxAge`), as
// every lookup, sweep and restore checks it; the timer that closes it for its holders runs on a
// clock that a step of the system's clock (NTP, a resumed virtual machine) does not move.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";

test("a clock step past a held session's maximum age closes it at the next sweep", async () => {
  const hour = 3_600_000;
  const running = await startServer({
    logger: silentLogger,
    sessionManager: new MemorySessionManager(),
    // A sweep every second; the maximum-age timer waits half an hour and more before it looks.
    sessionIdleTimeout: 2000,
    sessionMaxAge: hour,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  const wallClock = Date.now;
  try {
    const client = await RawClient.handshake(running.url);
    await rawLogin(client, "ada");
    Date.now = () => wallClock() + hour; // the system's clock steps an hour forward
    assert.equal((await client.next(5000)).kind, "session-closed");
    assert.equal(running.server.activeSessionsCount, 0);
    client.close();
  } finally {
    Date.now = wallClock;
    await running.close();
  }
});
