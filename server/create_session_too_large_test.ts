// createSession refuses a session whose session-created notification alone would count more
// than the server's maxSendBuffer, with a SessionTooLargeError naming the limit, before anything
// is stored: sent, it would close the connection as a slow reader (and so would each restore).
// A real server and client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { SessionTooLargeError } from "./errors.ts";

test("info too large to send is a SessionTooLargeError and nothing is stored", async () => {
  const manager = new MemorySessionManager();
  const refusals: unknown[] = [];
  const disconnects: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    maxSendBuffer: 4096,
    sessionManager: manager,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason.kind),
    onRequest: async ({ name, connection }) => {
      if (name === "big") {
        try {
          await connection.createSession({ avatar: "x".repeat(5000) });
        } catch (error) {
          refusals.push(error);
          return `refused ${connection.session === null}`;
        }
        return "created";
      }
      return (await connection.createSession({ user: "ada" })).key;
    },
  });
  const client = new Client(running.url, { logger: silentLogger });
  try {
    assert.equal((await client.request("big")).text(), "refused true");
    const error = refusals[0];
    assert.ok(error instanceof SessionTooLargeError, String(error));
    assert.equal(error.name, "SessionTooLargeError");
    assert.equal(error.limit, 4096);
    assert.ok(error.size > 5000, `size ${error.size}`);
    assert.match(error.message, /maxSendBuffer \(4096\)/);
    assert.equal(manager.size, 0, "nothing stored");
    assert.equal(running.server.activeSessionsCount, 0);
    assert.equal(client.session?.key, undefined);
    // The connection goes on, and can create a session that fits.
    const key = (await client.request("login")).text();
    await until(() => client.session !== null, "the client hears of the session");
    assert.equal(client.session?.key, key);
    assert.equal(manager.size, 1);
    assert.deepEqual(disconnects, []);
  } finally {
    await client.close();
    await running.close();
  }
});
