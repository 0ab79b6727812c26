// A create whose store failed for another reason than a taken key (a timeout: the store may
// have happened) is undone with the manager's onSessionUnused, which forgets only that
// session: under a key generator that repeats keys, the key may be another user's, whose
// session must stay restorable. A real server, real clients, the built-in managers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, SessionNotFoundError } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { LostAnswerManager } from "../testing/lost_answer_manager.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const key = "the-only-key-this-generator-makes";

/** `login` creates a session with the payload as its user and answers what came of it. */
function loginService(sessionManager: LostAnswerManager) {
  return {
    logger: silentLogger,
    sessionManager,
    sessionKeyGenerator: { generate: () => key },
    onRequest: async ({ name, payload, connection }) => {
      if (name === "whoami") return String(connection.session?.info?.user);
      if (name === "logout") return await connection.closeSession().then(String, String);
      try {
        await connection.createSession({ user: payload.text() });
        return "created";
      } catch (error) {
        return `failed: ${(error as Error).message}`;
      }
    },
  } satisfies StartOptions;
}

async function withManagers(
  run: (manager: LostAnswerManager, inner: MemorySessionManager | FileSessionManager) => Promise<
    void
  >,
): Promise<void> {
  const memory = new MemorySessionManager();
  await run(new LostAnswerManager(memory), memory);
  const directory = await mkdtemp(join(tmpdir(), "webwire-unused-"));
  try {
    const file = new FileSessionManager({
      directory,
      logger: silentLogger,
      isValidKey: () => true,
    });
    await run(new LostAnswerManager(file), file);
  } finally {
    await rm(directory, { recursive: true });
  }
}

test("a failed create under another user's key leaves that user's session restorable", async () => {
  await withManagers(async (manager, inner) => {
    const running = await startServer(loginService(manager));
    const ada = new Client(running.url, { logger: silentLogger });
    const bob = new Client(running.url, { logger: silentLogger });
    const adaAgain = new Client(running.url, { logger: silentLogger });
    try {
      assert.equal((await ada.request("login", "ada")).text(), "created");
      await ada.close(); // her session stays stored, held by no connection
      await until(() => running.server.activeSessionsCount === 0, "ada's connection is gone");
      manager.loseAnswers = true;
      const answer = (await bob.request("login", "bob")).text();
      assert.match(answer, /answer was lost \(it refused/, inner.constructor.name);
      assert.equal(manager.unusedCalls.length, 1, "the failed create was undone");
      assert.ok(await inner.hasSession(key), `${inner.constructor.name}: ada's session stays`);
      await adaAgain.restoreSession(key);
      assert.equal((await adaAgain.request("whoami")).text(), "ada");
    } finally {
      await Promise.all([ada.close(), bob.close(), adaAgain.close()]);
      await running.close();
    }
  });
});

test("a failed create that did store its session forgets it", async () => {
  await withManagers(async (manager, inner) => {
    const running = await startServer(loginService(manager));
    const bob = new Client(running.url, { logger: silentLogger });
    try {
      manager.loseAnswers = true;
      const answer = (await bob.request("login", "bob")).text();
      assert.match(answer, /answer was lost \(it stored/, inner.constructor.name);
      assert.equal(await inner.hasSession(key), false, inner.constructor.name);
      assert.equal(bob.session, null);
    } finally {
      await bob.close();
      await running.close();
    }
  });
});

test("a failed forget of an unused session is tried again, still only for that session", async () => {
  await withManagers(async (manager, inner) => {
    const running = await startServer(loginService(manager));
    const ada = new Client(running.url, { logger: silentLogger });
    const bob = new Client(running.url, { logger: silentLogger });
    const carol = new Client(running.url, { logger: silentLogger });
    try {
      // Bob's create stores his session, its answer is lost, and the forget fails at first.
      manager.loseAnswers = true;
      manager.failUnusedForgets = 1;
      assert.match((await bob.request("login", "bob")).text(), /it stored/);
      assert.ok(await inner.hasSession(key), "still stored after the failed forget");
      await until(() => manager.unusedCalls.length === 2, "tried again");
      await until(async () => !await inner.hasSession(key), "bob's unused session is gone");

      // Once more, but ada takes the key (bob's session gone) before the retry: hers stays.
      manager.failUnusedForgets = 1;
      assert.match((await carol.request("login", "carol")).text(), /it stored/);
      await inner.onSessionClosed(key); // carol's session, as if it had expired
      manager.loseAnswers = false;
      assert.equal((await ada.request("login", "ada")).text(), "created");
      await until(() => manager.unusedCalls.length === 4, "tried again");
      assert.ok(await inner.hasSession(key), "the retry left ada's session alone");
      assert.equal((await ada.request("whoami")).text(), "ada");
    } finally {
      await Promise.all([ada.close(), bob.close(), carol.close()]);
      await running.close();
    }
  });
});

test("a logout whose destroy failed is tried again while a failed create's forget of its key waits", async () => {
  await withManagers(async (manager, inner) => {
    const running = await startServer(loginService(manager));
    const ada = new Client(running.url, { logger: silentLogger });
    const bob = new Client(running.url, { logger: silentLogger });
    const adaAgain = new Client(running.url, { logger: silentLogger });
    const other = new Client(running.url, { logger: silentLogger });
    try {
      assert.equal((await ada.request("login", "ada")).text(), "created");
      await ada.close();
      await until(() => running.server.activeSessionsCount === 0, "ada's connection is gone");
      // Bob's create under ada's key: refused, its answer lost, and its forget fails at first.
      manager.loseAnswers = true;
      manager.failUnusedForgets = 1;
      assert.match((await bob.request("login", "bob")).text(), /it refused/);
      manager.loseAnswers = false;
      // Ada is back, and logs out while the store fails once more: her destroy waits too.
      await adaAgain.restoreSession(key);
      manager.failCloses = 1;
      assert.match((await adaAgain.request("logout")).text(), /could not be reached/);
      await until(() => manager.unusedCalls.length === 2, "bob's forget tried again");
      const name = inner.constructor.name;
      await until(async () => !await inner.hasSession(key), `${name}: ada's logout is done`);
      await assert.rejects(other.restoreSession(key), SessionNotFoundError, "nothing to restore");
    } finally {
      await Promise.all([ada.close(), bob.close(), adaAgain.close(), other.close()]);
      await running.close();
    }
  });
});

test("two creates of the key at once: the refused one's forget leaves the other's session", async () => {
  await withManagers(async (manager, inner) => {
    const running = await startServer(loginService(manager));
    const clients = [0, 1].map(() => new Client(running.url, { logger: silentLogger }));
    try {
      // The store refuses the second create (the key is taken), and that answer is lost: the
      // server forgets the session it made, whose creation is of the same millisecond.
      manager.loseRefusals = true;
      for (let round = 0; round < 20; round++) {
        const answers = await Promise.all(clients.map((c) => c.request("login", `u${round}`)));
        const winner = clients[answers.findIndex((answer) => answer.text() === "created")];
        assert.ok(winner !== undefined, `round ${round}: one create stored`);
        const name = inner.constructor.name;
        assert.ok(await inner.hasSession(key), `${name}, round ${round}: the session stays`);
        assert.match((await winner.request("logout")).text(), /true/);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await running.close();
    }
  });
});
