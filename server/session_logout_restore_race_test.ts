// A client's logout (close-session) by the last connection of a session racing another client's
// restore of it on the same server: the logout destroys the session, so a restore still looking
// it up fails as if it was not found, even when its lookup found the session just before the
// manager forgot it. Nobody is left holding a session that is stored nowhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { SessionNotFoundError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { MemorySessionManager } from "../session/memory_session_manager.ts";
import { loggedInClient, startGatedServer } from "../testing/gated_server.ts";
import type { GatedManager } from "../testing/gated_session_manager.ts";
import type { StartedServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

interface Race {
  running: StartedServer;
  memory: MemorySessionManager;
  manager: GatedManager;
  /** Holds the session, as its only connection. */
  leaving: Client;
  /** Connected, with no session: about to restore the one `leaving` holds. */
  restoring: Client;
  key: string;
}

async function setup(): Promise<Race> {
  const { running, memory, manager } = await startGatedServer();
  const leaving = await loggedInClient(running.url);
  const restoring = new Client(running.url, { logger: silentLogger, autoconnect: false });
  await restoring.connect();
  return { running, memory, manager, leaving, restoring, key: leaving.session!.key };
}

async function teardown({ running, manager, leaving, restoring }: Race): Promise<void> {
  manager.lookupGate.open();
  manager.forgetGate.open();
  await leaving.close();
  await restoring.close();
  await running.close();
}

/** The session is forgotten, held by nobody, and the restoring client can log in again. */
async function forgottenEverywhere(race: Race): Promise<void> {
  const { running, memory, manager, restoring, key } = race;
  assert.equal(restoring.session, null);
  assert.deepEqual(running.server.sessionConnections(key), []);
  assert.equal(await memory.onSessionLookup(key), null, "forgotten");
  assert.equal(manager.forgotten.filter((k) => k === key).length, 1, "forgotten once");
  await restoring.request("login", "ada again");
  await until(() => restoring.session !== null, "logged in again");
}

test("a restore whose lookup found the session before a logout destroyed it is refused", async () => {
  const race = await setup();
  const { manager, leaving, restoring, key } = race;
  try {
    manager.holdLookupOf = key;
    manager.readBeforeHold = true;
    const restore = restoring.restoreSession(key);
    await manager.lookupStarted.opened; // it has found the session, and waits
    await leaving.closeSession(); // the last holder logs out: the session is destroyed
    assert.equal(leaving.session, null);
    manager.lookupGate.open();
    await assert.rejects(restore, SessionNotFoundError);
    await forgottenEverywhere(race);
  } finally {
    await teardown(race);
  }
});

test("a restore that begins while a logout is destroying the session is refused", async () => {
  const race = await setup();
  const { manager, leaving, restoring, key } = race;
  try {
    manager.holdForgetOf = key;
    const logout = leaving.closeSession();
    await manager.forgetStarted.opened; // still stored: a lookup now finds it
    const restore = restoring.restoreSession(key);
    await assert.rejects(restore, SessionNotFoundError);
    manager.forgetGate.open();
    await logout;
    await forgottenEverywhere(race);
  } finally {
    await teardown(race);
  }
});

test("a logout by one of two holders leaves the session to the other", async () => {
  const race = await setup();
  const { running, memory, leaving, restoring, key } = race;
  try {
    await restoring.restoreSession(key);
    await leaving.closeSession();
    assert.equal(running.server.sessionConnections(key).length, 1);
    assert.notEqual(await memory.onSessionLookup(key), null, "still stored");
    assert.equal(restoring.session?.key, key);
  } finally {
    await teardown(race);
  }
});
