// A session store that fails (unreachable, or its answer lost to a timeout): restores are logged
// a few times, not once each, and what a lost answer may have done in the store is undone. So
// are the give-backs of their slots when a cluster's Redis is away too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { Session, SessionLookupResult } from "../session/session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Cluster } from "./cluster.ts";
import { SessionUnavailableError } from "./errors.ts";

/** A memory store whose answers are lost while `failing` (what it did is done all the same). */
class LossyManager extends MemorySessionManager {
  failing = false;
  override onSessionLookup(key: string): SessionLookupResult | null {
    const found = super.onSessionLookup(key);
    if (this.failing) throw new Error("timed out");
    return found;
  }
  override onSessionCreated(session: Session): void {
    super.onSessionCreated(session);
    if (this.failing) throw new Error("timed out");
  }
  /** Whether closes and forgets of unused sessions fail (and do nothing): the store is away. */
  closesFailing = false;
  override onSessionClosed(key: string): void {
    if (this.closesFailing) throw new Error("unreachable");
    super.onSessionClosed(key);
  }
  override onSessionUnused(session: Session): void {
    if (this.closesFailing) throw new Error("unreachable");
    super.onSessionUnused(session);
  }
}

function service(manager: LossyManager, logger = recordingLogger().logger) {
  return {
    logger,
    sessionManager: manager,
    sessionIdleTimeout: 300,
    onRequest: async (request: { connection: { createSession(): Promise<unknown> } }) => {
      await request.connection.createSession();
      return "ok";
    },
  };
}

test("restores failing in a row are logged at the 1st and 10th, again after a lookup worked", async () => {
  const manager = new LossyManager();
  const { logger, errors } = recordingLogger();
  const running = await startServer(service(manager, logger));
  try {
    const client = await RawClient.handshake(running.url);
    const { key } = await rawLogin(client, "ada");
    client.close();
    await until(() => running.server.activeSessionsCount === 0, "ada left");
    manager.failing = true;
    const other = await RawClient.handshake(running.url);
    for (let i = 0; i < 25; i++) {
      assert.equal(await rawRestore(other, key), "internal-error-reply");
    }
    const logged = () => errors.filter((e) => e.message.includes("restore failures")).length;
    assert.equal(logged(), 2, "the 1st and the 10th");
    manager.failing = false;
    assert.equal(await rawRestore(other, key), "reply");
    const third = await RawClient.handshake(running.url);
    manager.failing = true;
    assert.equal(await rawRestore(third, key), "internal-error-reply");
    assert.equal(logged(), 3, "a new run of failures is logged from its 1st");
    other.close();
    third.close();
  } finally {
    await running.close();
  }
});

/** A cluster of one node whose slot releases fail while `failing` (its Redis is away). */
function awayCluster(): Cluster & { failing: boolean } {
  return {
    failing: false,
    join() {},
    publish() {},
    acquireSession: () => true,
    releaseSession() {
      if (this.failing) throw new Error("Redis is away");
    },
    takeOfflineSignals: () => [],
    sessionConnectionCount: () => 0,
    leave() {},
  };
}

test("slots of failed restores that cannot be given back are logged at the 1st and 10th", async () => {
  const manager = new LossyManager();
  const cluster = awayCluster();
  const { logger, errors } = recordingLogger();
  const running = await startServer({ ...service(manager, logger), cluster });
  try {
    const client = await RawClient.handshake(running.url);
    const { key } = await rawLogin(client, "ada");
    client.close();
    await until(() => running.server.activeSessionsCount === 0, "ada left");
    manager.failing = cluster.failing = true;
    const other = await RawClient.handshake(running.url);
    for (let i = 0; i < 25; i++) {
      assert.equal(await rawRestore(other, key), "internal-error-reply");
    }
    const logged = () =>
      errors.filter((e) => e.message.startsWith("giving back a session slot failed"));
    await until(() => logged().length >= 2, "the 10th logged");
    assert.deepEqual(logged().map((e) => e.message), [
      "giving back a session slot failed (1 since one worked)",
      "giving back a session slot failed (10 since one worked)",
    ]);
    cluster.failing = false; // Redis is back: the next give-back works
    assert.equal(await rawRestore(other, key), "internal-error-reply");
    cluster.failing = true;
    assert.equal(await rawRestore(other, key), "internal-error-reply");
    await until(() => logged().length === 3, "a new run of failures is logged from its 1st");
    assert.equal(logged()[2].message, "giving back a session slot failed (1 since one worked)");
    other.close();
  } finally {
    cluster.failing = false;
    await running.close();
  }
});

test("a lookup whose answer was lost leaves the session to its idle clock", async () => {
  const manager = new LossyManager();
  const running = await startServer(service(manager));
  try {
    const client = await RawClient.handshake(running.url);
    const { key } = await rawLogin(client, "ada");
    client.close();
    await until(() => running.server.activeSessionsCount === 0, "ada left");
    manager.failing = true;
    const other = await RawClient.handshake(running.url);
    assert.equal(await rawRestore(other, key), "internal-error-reply");
    manager.failing = false;
    // The lost lookup held it in the store; released again, the sweep forgets it when idle.
    await until(() => manager.size === 0, "swept once idle", 5000);
    assert.equal(await rawRestore(other, key), "session-not-found-reply");
    other.close();
  } finally {
    await running.close();
  }
});

test("a create whose answer was lost is forgotten again: no session nobody knows of", async () => {
  const manager = new LossyManager();
  let failure: unknown;
  const running = await startServer({
    ...service(manager),
    sessionIdleTimeout: 0,
    onRequest: async (request) => {
      await request.connection.createSession().catch((error) => failure = error);
      return "ok";
    },
  });
  try {
    manager.failing = true;
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: requestIdFromNumber(5), name: "login" }));
    assert.equal((await client.next()).kind, "reply");
    assert.ok(failure instanceof Error && !(failure instanceof SessionUnavailableError));
    assert.equal(manager.size, 0, "the store forgot what it stored");
    client.close();
  } finally {
    await running.close();
  }
});

test("a create whose answer was lost is forgotten later when the store is still away", async () => {
  const manager = new LossyManager();
  const running = await startServer({
    ...service(manager),
    sessionIdleTimeout: 0,
    onRequest: async (request) => {
      await request.connection.createSession().catch(() => {});
      return "ok";
    },
  });
  try {
    manager.failing = manager.closesFailing = true;
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: requestIdFromNumber(5), name: "login" }));
    assert.equal((await client.next()).kind, "reply");
    assert.equal(manager.size, 1, "stored, and the forget right after it failed");
    manager.failing = manager.closesFailing = false; // the store is back
    await until(() => manager.size === 0, "forgotten by a later try");
    client.close();
  } finally {
    await running.close();
  }
});
