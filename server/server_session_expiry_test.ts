import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { Server } from "./server.ts";

function service(options: StartOptions): StartOptions {
  return {
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
    ...options,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of ["memory", "file"] as const) {
  test(`sessionIdleTimeout: an unheld session expires, a restored one is held again (${kind} manager)`, async () => {
    const directory = await mkdtemp(join(tmpdir(), "webwire-idle-"));
    const running = await startServer(service({
      // Long enough that a stalled test process does not outlast it in the "still there" step.
      sessionIdleTimeout: 1000,
      sessionManager: kind === "memory"
        ? new MemorySessionManager()
        : new FileSessionManager({ directory }),
    }));
    try {
      const first = await RawClient.handshake(running.url);
      const session = await rawLogin(first, "ada");
      await sleep(1200);
      const second = await RawClient.handshake(running.url);
      assert.equal(await rawRestore(second, session.key), "reply", "held sessions do not idle");
      first.close();
      second.close();
      await until(() => running.server.activeSessionsCount === 0, "both left");
      await sleep(100);
      const third = await RawClient.handshake(running.url);
      assert.equal(await rawRestore(third, session.key), "reply", "idle for 100 ms: still there");
      third.close();
      await until(() => running.server.activeSessionsCount === 0, "third left");
      // Kept for the session while it is away; it expires before anyone restores it.
      assert.equal(running.server.signalSession(session.key, "late", "never replayed"), 0);
      await sleep(1200);
      const fourth = await RawClient.handshake(running.url);
      assert.equal(await rawRestore(fourth, session.key), "session-not-found-reply");
      assert.ok(await fourth.silentFor(50), "nothing is replayed to an expired session");
      fourth.close();
    } finally {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  test(`sessionMaxAge closes the session on every holder, then it is gone (${kind} manager)`, async () => {
    const directory = await mkdtemp(join(tmpdir(), "webwire-age-"));
    const running = await startServer(service({
      sessionMaxAge: 700,
      sessionManager: kind === "memory"
        ? new MemorySessionManager()
        : new FileSessionManager({ directory }),
    }));
    try {
      const [a, b, other] = await Promise.all(
        [0, 1, 2].map(() => RawClient.handshake(running.url)),
      );
      const session = await rawLogin(a, "ada");
      assert.equal(await rawRestore(b, session.key), "reply");
      const late = await rawLogin(other, "bob");
      assert.equal((await a.next(3000)).kind, "session-closed");
      assert.equal((await b.next(3000)).kind, "session-closed");
      assert.equal(running.server.sessionConnections(session.key).length, 0);
      const c = await RawClient.handshake(running.url);
      assert.equal(await rawRestore(c, session.key), "session-not-found-reply");
      assert.equal((await other.next(3000)).kind, "session-closed", "bob's aged too");
      assert.equal(await rawRestore(c, late.key), "session-not-found-reply");
      for (const client of [a, b, other, c]) client.close();
    } finally {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
}

test("a server sweeps expired session files when it starts", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-sweep-"));
  try {
    const before = await startServer(service({
      sessionManager: new FileSessionManager({ directory }),
    }));
    const client = await RawClient.handshake(before.url);
    const session = await rawLogin(client, "ada");
    client.close();
    await before.close();
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(directory, `${session.key}.wwrsess`), hourAgo, hourAgo);
    const server = new Server({
      logger: silentLogger,
      sessionIdleTimeout: 60_000,
      sessionManager: new FileSessionManager({ directory }),
    });
    await until(async () => (await readdir(directory)).length === 0, "the file was swept");
    await server.shutdown();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("expiry settings are checked, and need a manager that supports them", () => {
  const plain = {
    onSessionCreated: () => {},
    onSessionLookup: () => null,
    onSessionClosed: () => {},
  };
  assert.throws(
    () => new Server({ sessionManager: plain, sessionIdleTimeout: 1000 }),
    /useExpiry/,
  );
  // Without a release notice and a sweep, idle time could not start and nothing be forgotten.
  assert.throws(
    () => new Server({ sessionManager: { ...plain, useExpiry: () => {} }, sessionMaxAge: 1000 }),
    /lacks onSessionReleased, sweepExpired/,
  );
  new Server({ sessionManager: plain }).shutdown(); // without expiry it works as before
  assert.throws(() => new Server({ sessionMaxAge: -1 }), RangeError);
  assert.throws(() => new Server({ sessionIdleTimeout: 1.5 }), RangeError);
  // `null` is the default (no expiry), as for the other numeric options: a plain manager works.
  const unset = null as unknown as undefined;
  new Server({ sessionManager: plain, sessionIdleTimeout: unset, sessionMaxAge: unset }).shutdown();
});

for (const kind of ["memory", "file"] as const) {
  test(`signals kept for a session are forgotten when the sweep expires it (${kind} manager)`, async () => {
    const directory = await mkdtemp(join(tmpdir(), "webwire-swept-"));
    const drops: string[] = [];
    const manager = kind === "memory"
      ? new MemorySessionManager()
      : new FileSessionManager({ directory });
    const running = await startServer(service({
      sessionIdleTimeout: 300,
      sessionManager: manager,
      offlineSignals: { maxTotalBytes: 3000 },
      onOfflineSignalDropped: (key, reason) => void drops.push(`${key} ${reason}`),
    }));
    try {
      const client = await RawClient.handshake(running.url);
      const ada = await rawLogin(client, "ada");
      client.close();
      await until(() => running.server.activeSessionsCount === 0, "ada left");
      running.server.signalSession(ada.key, "news", "x".repeat(1500));
      // The sweep (every second at least) finds the session idle and forgets it.
      const swept = async () =>
        manager instanceof MemorySessionManager
          ? manager.size === 0
          : (await readdir(directory)).every((name) => !name.includes(ada.key));
      await until(swept, "swept", 5000);
      // Had ada's signal stayed, this one would push it over the total.
      running.server.signalSession("bob-key", "news", "y".repeat(1200));
      assert.deepEqual(drops, []);
    } finally {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
}

test("a restore that finds a held session gone from the store closes it for its holders", async () => {
  const manager = new MemorySessionManager();
  const running = await startServer(service({ sessionManager: manager }));
  try {
    const [holder, restorer] = await Promise.all(
      [0, 1].map(() => RawClient.handshake(running.url)),
    );
    const session = await rawLogin(holder, "ada");
    // Forgotten by the store behind the server's back (as a lookup past the maximum age does).
    await manager.onSessionClosed(session.key);
    assert.equal(await rawRestore(restorer, session.key), "session-not-found-reply");
    assert.equal((await holder.next(3000)).kind, "session-closed");
    assert.equal(running.server.activeSessionsCount, 0);
    holder.close();
    restorer.close();
  } finally {
    await running.close();
  }
});

test("a restore that comes as a session reaches its maximum age does not spare its holders", async () => {
  const maxAge = 1000;
  const running = await startServer(service({
    sessionMaxAge: maxAge,
    sessionManager: new MemorySessionManager(),
  }));
  try {
    const [holder, restorer] = await Promise.all(
      [0, 1].map(() => RawClient.handshake(running.url)),
    );
    const session = await rawLogin(holder, "ada");
    const end = session.creation.toDate().getTime() + maxAge;
    await sleep(end - 15 - Date.now());
    restorer.send(encodeRestoreSession(requestIdFromNumber(1), session.key));
    // The server's maximum-age timer and the restore both become due while the loop is busy:
    // Bun reads the restore first (whose lookup finds the session too old), Deno runs the timer.
    while (Date.now() < end + 25) { /* busy */ }
    assert.equal((await restorer.next(3000)).kind, "session-not-found-reply");
    assert.equal((await holder.next(3000)).kind, "session-closed");
    assert.equal(running.server.sessionConnections(session.key).length, 0);
    holder.close();
    restorer.close();
  } finally {
    await running.close();
  }
});

test("crossed restores of two sessions the store lost are both answered", async () => {
  // Each connection holds one session and restores the other's: each restore closes the other
  // connection's session, whose steps wait behind that connection's own restore.
  const manager = new MemorySessionManager();
  const running = await startServer(service({ sessionManager: manager }));
  try {
    const [first, second] = await Promise.all(
      [0, 1].map(() => RawClient.handshake(running.url)),
    );
    const ada = await rawLogin(first, "ada");
    const bob = await rawLogin(second, "bob");
    await manager.onSessionClosed(ada.key);
    await manager.onSessionClosed(bob.key);
    first.send(encodeRestoreSession(requestIdFromNumber(1), bob.key));
    second.send(encodeRestoreSession(requestIdFromNumber(1), ada.key));
    for (const client of [first, second]) {
      const kinds = [(await client.next(3000)).kind, (await client.next(3000)).kind];
      assert.deepEqual(kinds.sort(), ["session-closed", "session-not-found-reply"]);
    }
    assert.equal(running.server.activeSessionsCount, 0);
    first.close();
    second.close();
  } finally {
    await running.close();
  }
});
