// A custom session key generator whose key a client could not send back in a restore (empty,
// or not printable ASCII) makes createSession fail with a TypeError before anything is stored:
// the session would be lost at the client's next reconnect (our client refuses it at once).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { startServer } from "../testing/serve.ts";

test("a generated key that is not printable ASCII is a TypeError, and nothing is stored", async () => {
  const keys = ["ключ-1", "", "tab\tkey", "good-key"];
  const manager = new MemorySessionManager();
  const outcomes: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    sessionKeyGenerator: { generate: () => keys.shift()! },
    onRequest: async ({ connection }) => {
      try {
        return (await connection.createSession()).key;
      } catch (error) {
        outcomes.push(error instanceof TypeError ? "TypeError" : String(error));
        return "refused";
      }
    },
  });
  const client = new Client(running.url, { logger: silentLogger });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await client.request("login")).text(), "refused");
    assert.deepEqual(outcomes, ["TypeError", "TypeError", "TypeError"]);
    assert.equal(manager.size, 0, "nothing stored");
    assert.equal((await client.request("login")).text(), "good-key");
    assert.equal(manager.size, 1);
  } finally {
    await client.close();
    await running.close();
  }
});
