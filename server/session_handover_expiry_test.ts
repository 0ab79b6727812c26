import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../protocol/logger.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A restore that looked the session up (which holds it) before the last holder's release notice
// reached the manager: the release must not leave the restored session to the idle sweep.
for (const kind of ["memory", "file"] as const) {
  for (const order of ["release before attach", "attach before release"] as const) {
    test(`a session handed over as its last holder leaves is not swept while held (${kind} manager, ${order})`, async () => {
      const directory = await mkdtemp(join(tmpdir(), "webwire-handover-"));
      const manager = new GatedManager(
        kind === "memory" ? new MemorySessionManager() : new FileSessionManager({ directory }),
      );
      const running = await startServer({
        logger: silentLogger,
        sessionIdleTimeout: 300,
        sessionManager: manager,
        onRequest: async (request) => {
          await request.connection.createSession({ user: request.payload.text() });
          return "ok";
        },
      });
      try {
        const first = await RawClient.handshake(running.url);
        const session = await rawLogin(first, "ada");
        manager.holdLookupOf = session.key;
        manager.readBeforeHold = true;
        if (order === "attach before release") manager.holdReleaseOf = session.key;
        const second = await RawClient.handshake(running.url);
        const restored = rawRestore(second, session.key);
        await manager.lookupStarted.opened; // looked up: held by the manager
        first.close();
        if (order === "attach before release") {
          await manager.releaseStarted.opened;
          manager.lookupGate.open();
          assert.equal(await restored, "reply");
          manager.releaseGate.open();
        } else {
          await until(() => running.server.activeSessionsCount === 0, "the first left");
          await sleep(50); // the release notice has reached the manager
          manager.lookupGate.open();
          assert.equal(await restored, "reply");
        }
        // The sweep runs at least once a second; the session is held all along.
        await sleep(1500);
        second.close();
        await until(() => running.server.activeSessionsCount === 0, "the second left");
        const third = await RawClient.handshake(running.url);
        assert.equal(await rawRestore(third, session.key), "reply", "still stored");
        third.close();
      } finally {
        await running.close();
        await rm(directory, { recursive: true, force: true });
      }
    });
  }
}

// A restore that attached its session is a holder, no longer a restore under way: a connection
// that drops while the restore still waits (here for the destroy of the session it held
// before) releases the session for good, to the idle sweep.
test("a session whose restorer dropped before its restore ended is swept once idle", async () => {
  const inner = new MemorySessionManager();
  const manager = new GatedManager(inner);
  const running = await startServer({
    logger: silentLogger,
    sessionIdleTimeout: 300,
    sessionManager: manager,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const away = await RawClient.handshake(running.url);
    const stored = await rawLogin(away, "bob");
    away.close();
    await until(() => running.server.activeSessionsCount === 0, "bob left");
    const client = await RawClient.handshake(running.url);
    const held = await rawLogin(client, "ada");
    manager.holdForgetOf = held.key; // the restore waits for ada's session to be destroyed
    assert.equal(await rawRestore(client, stored.key), "reply");
    await manager.forgetStarted.opened;
    client.close();
    await until(() => running.server.activeSessionsCount === 0, "the restorer left");
    await sleep(50); // its release has reached the manager
    manager.forgetGate.open();
    await until(() => !inner.hasSession(stored.key), "swept once idle", 5000);
  } finally {
    await running.close();
  }
});
