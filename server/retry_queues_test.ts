// The store's failed steps wait for their retries in queues of bounded size. Logins that fail
// during a long outage of the store (each leaving the forget of its unused session to retry)
// must not fill the queue of logouts: a logout given up at once leaves its session restorable.
// A real server, a real client, the memory manager behind one whose answers get lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { LostAnswerManager } from "../testing/lost_answer_manager.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { maxPendingRetries } from "./store_retries.ts";

test("a logout's retry still waits its turn after more failed logins than the queue holds", async () => {
  const inner = new MemorySessionManager();
  const manager = new LostAnswerManager(inner);
  const { logger, errors } = recordingLogger();
  let made = 0;
  const running = await startServer({
    logger,
    sessionManager: manager,
    sessionKeyGenerator: { generate: () => `key-${++made}` },
    onRequest: async ({ name, connection }) => {
      if (name === "logout") return await connection.closeSession().then(String, String);
      return await connection.createSession({}).then(() => "created", () => "failed");
    },
  });
  const ada = new Client(running.url, { logger: silentLogger });
  const mallory = new Client(running.url, { logger: silentLogger });
  try {
    assert.equal((await ada.request("login")).text(), "created");
    const adaKey = ada.session!.key;
    // The store is away: every login fails, and each one's forget fails too.
    manager.loseAnswers = true;
    manager.failUnusedForgets = Infinity;
    const logins = maxPendingRetries + 10;
    for (let sent = 0; sent < logins; sent += 250) {
      const batch = Array.from({ length: Math.min(250, logins - sent) }, () => {
        return mallory.request("login").then((reply) => reply.text());
      });
      assert.deepEqual(new Set(await Promise.all(batch)), new Set(["failed"]));
    }
    assert.equal(manager.unusedCalls.length, logins);
    // Ada logs out while the store still fails: her destroy must be tried again.
    manager.failCloses = 1;
    assert.match((await ada.request("logout")).text(), /could not be reached/);
    await until(async () => !await inner.hasSession(adaKey), "ada's logout is done", 5000);
    const gaveUp = errors.map(({ message }) => message);
    assert.ok(!gaveUp.some((line) => line.includes("logged-out")), gaveUp.join("\n"));
    assert.ok(gaveUp.some((line) => line.includes("stored for a login that failed")), "logged");
  } finally {
    await Promise.all([ada.close(), mallory.close()]);
    await running.close();
  }
});
