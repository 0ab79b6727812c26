// A session key generator that repeats a key must not hand one user's session to another:
// createSession rejects with a SessionKeyTakenError for a key a connection of this server holds
// (whatever the session manager does) and for a key the built-in managers store, and the session
// that has the key stays as it is, restorable by its owner. A real server and real clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../client.ts";
import type { Logger } from "../protocol/logger.ts";
import { silentLogger } from "../protocol/logger.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { SessionKeyTakenError } from "../session/session_key_taken_error.ts";
import type { Session, SessionManager } from "../session/session_manager.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const key = "the-only-key-this-generator-makes";

/** `login` creates a session with the payload as its user and answers what came of it. */
function loginService(sessionManager: SessionManager, logger: Logger = silentLogger) {
  return {
    logger,
    sessionManager,
    sessionKeyGenerator: { generate: () => key },
    onRequest: async ({ name, payload, connection }) => {
      if (name === "whoami") return String(connection.session?.info?.user);
      if (name === "login-unchecked") {
        return void await connection.createSession({ user: payload.text() });
      }
      try {
        await connection.createSession({ user: payload.text() });
        return "created";
      } catch (error) {
        assert.ok(error instanceof SessionKeyTakenError, String(error));
        assert.ok(!error.message.includes(key), "the message leaves the secret key out");
        return `${error.name}, session ${connection.session === null ? "none" : "held"}`;
      }
    },
  } satisfies StartOptions;
}

/** A store that, unlike the built-in ones, replaces a session of the same key. */
function replacingManager(): SessionManager & { stored: Map<string, Session> } {
  const stored = new Map<string, Session>();
  return {
    stored,
    onSessionCreated: (session) => void stored.set(session.key, session),
    onSessionLookup: (key) => stored.get(key) ?? null,
    onSessionClosed: (key) => void stored.delete(key),
  };
}

test("a key a connection holds is refused whatever the manager; the holder keeps it", async () => {
  const manager = replacingManager();
  const running = await startServer(loginService(manager));
  const ada = new Client(running.url, { logger: silentLogger });
  const bob = new Client(running.url, { logger: silentLogger });
  try {
    assert.equal((await ada.request("login", "ada")).text(), "created");
    assert.equal((await bob.request("login", "bob")).text(), "SessionKeyTakenError, session none");
    assert.deepEqual(manager.stored.get(key)?.info, { user: "ada" }, "not replaced");
    assert.equal((await ada.request("whoami")).text(), "ada");
    assert.equal((await bob.request("whoami")).text(), "undefined");
    assert.equal(bob.session, null);
    assert.equal(running.server.activeSessionsCount, 1);
  } finally {
    await Promise.all([ada.close(), bob.close()]);
    await running.close();
  }
});

test("a key the manager stores is refused, and its owner restores it after", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(loginService(manager));
  const ada = new Client(running.url, { logger: silentLogger });
  const bob = new Client(running.url, { logger: silentLogger });
  const adaAgain = new Client(running.url, { logger: silentLogger });
  try {
    assert.equal((await ada.request("login", "ada")).text(), "created");
    await ada.close(); // the session stays stored, held by no connection
    await until(() => running.server.activeSessionsCount === 0, "ada's connection is gone");
    assert.equal((await bob.request("login", "bob")).text(), "SessionKeyTakenError, session none");
    assert.ok(manager.hasSession(key), "the refusal did not forget the owner's session");
    await adaAgain.restoreSession(key);
    assert.equal((await adaAgain.request("whoami")).text(), "ada");

    // Closed by its owner, the key is free again.
    await adaAgain.closeSession();
    assert.equal((await bob.request("login", "bob")).text(), "created");
    assert.equal((await bob.request("whoami")).text(), "bob");
  } finally {
    await Promise.all([ada.close(), bob.close(), adaAgain.close()]);
    await running.close();
  }
});

test("two logins at once with one key: one session, one SessionKeyTakenError", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(loginService(manager));
  const clients = [1, 2, 3].map(() => new Client(running.url, { logger: silentLogger }));
  try {
    const answers = await Promise.all(
      clients.map(async (client, n) => (await client.request("login", `user ${n}`)).text()),
    );
    assert.deepEqual(answers.filter((answer) => answer === "created").length, 1, String(answers));
    const owner = clients[answers.indexOf("created")];
    const user = String(manager.onSessionLookup(key)?.info?.user);
    assert.equal((await owner.request("whoami")).text(), user);
    assert.equal(running.server.activeSessionsCount, 1);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await running.close();
  }
});

test("not caught by the handler, the refusal fails the request and is logged once", async () => {
  const lines: string[] = [];
  const logger: Logger = {
    warn: (...parts: unknown[]) => void lines.push(parts.map(String).join(" ")),
    error: (...parts: unknown[]) => void lines.push(parts.map(String).join(" ")),
  };
  const running = await startServer(loginService(new MemorySessionManager(), logger));
  const ada = new Client(running.url, { logger: silentLogger });
  const bob = new Client(running.url, { logger: silentLogger });
  try {
    await ada.request("login-unchecked", "ada");
    await assert.rejects(bob.request("login-unchecked", "bob"));
    await until(() => lines.length > 0, "the failure is logged");
    assert.equal(
      lines.filter((line) => line.includes("SessionKeyTakenError")).length,
      1,
      String(lines),
    );
    assert.ok(lines.every((line) => !line.includes(key)), "the key stays out of the log");
    assert.equal((await ada.request("whoami")).text(), "ada");
  } finally {
    await Promise.all([ada.close(), bob.close()]);
    await running.close();
  }
});

for (const kind of ["memory", "file"] as const) {
  test(`${kind}: an expired session giving way to a new one takes its kept signals along`, async () => {
    // Sent to ada while she was away, kept for her restore: once her session has expired and
    // its key went to bob, they must not reach bob's restore.
    const idleTimeout = 600_000;
    let now = Date.now();
    const clock = () => now;
    const directory = await mkdtemp(join(tmpdir(), "webwire-taken-"));
    const manager = kind === "memory"
      ? new MemorySessionManager({ clock })
      : new FileSessionManager({ directory, clock, isValidKey: () => true, logger: silentLogger });
    const running = await startServer({
      ...loginService(manager),
      sessionIdleTimeout: idleTimeout,
    });
    const signals: string[] = [];
    const ada = new Client(running.url, { logger: silentLogger });
    const bob = new Client(running.url, { logger: silentLogger });
    const bobAgain = new Client(running.url, {
      logger: silentLogger,
      onSignal: (signal) => void signals.push(signal.payload.text()),
    });
    try {
      assert.equal((await ada.request("login", "ada")).text(), "created");
      await ada.close();
      await until(() => running.server.activeSessionsCount === 0, "ada's connection is gone");
      running.server.signalSession(key, "mail", "for ada only");
      now += idleTimeout + 1000; // expired, not yet swept
      assert.equal((await bob.request("login", "bob")).text(), "created");
      await bob.close();
      await until(() => running.server.activeSessionsCount === 0, "bob's connection is gone");
      await bobAgain.restoreSession(key);
      assert.equal((await bobAgain.request("whoami")).text(), "bob");
      assert.deepEqual(signals, []);
    } finally {
      await Promise.all([ada.close(), bob.close(), bobAgain.close()]);
      await running.close();
      await rm(directory, { recursive: true });
    }
  });
}
