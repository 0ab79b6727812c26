// Server.closeSession racing a client's restore of the same session on one server: a restore
// still looking the session up while the close runs fails as if the session was not found,
// even when its lookup found the session just before the close had it forgotten. The session
// stays forgotten and held by nobody, and the client can log in again.
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

interface Setup {
  running: StartedServer;
  memory: MemorySessionManager;
  manager: GatedManager;
  /** A client connected to the server, with no session. */
  client: Client;
  /** A session stored and held by no connection. */
  key: string;
}

async function setup(): Promise<Setup> {
  const { running, memory, manager } = await startGatedServer();
  const first = await loggedInClient(running.url);
  const key = first.session!.key;
  await first.close();
  await until(() => running.server.sessionConnections(key).length === 0, "the first client left");
  const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
  await client.connect();
  return { running, memory, manager, client, key };
}

async function teardown({ running, manager, client }: Setup): Promise<void> {
  manager.lookupGate.open();
  manager.forgetGate.open();
  await client.close();
  await running.close();
}

/** The client is healthy and holds no session: it can log in again. */
async function logsInAgain(client: Client): Promise<void> {
  assert.equal(client.session, null);
  await client.request("login", "ada again");
  await until(() => client.session !== null, "logged in again");
}

test("a restore whose lookup found the session before closeSession forgot it is refused", async () => {
  const race = await setup();
  const { running, memory, manager, client, key } = race;
  try {
    manager.holdLookupOf = key;
    manager.readBeforeHold = true;
    const restoring = client.restoreSession(key);
    await manager.lookupStarted.opened; // it has found the session, and waits
    assert.equal(await running.server.closeSession(key), 0, "no connection held it");
    assert.equal(await memory.onSessionLookup(key), null, "forgotten");
    manager.lookupGate.open();
    await assert.rejects(restoring, SessionNotFoundError);
    assert.deepEqual(running.server.sessionConnections(key), []);
    assert.equal(manager.forgotten.filter((k) => k === key).length, 1, "forgotten once");
    await logsInAgain(client);
  } finally {
    await teardown(race);
  }
});

test("a restore that begins while closeSession is forgetting the session is refused", async () => {
  const race = await setup();
  const { running, memory, manager, client, key } = race;
  try {
    manager.holdForgetOf = key;
    const closing = running.server.closeSession(key);
    await manager.forgetStarted.opened; // the session is still stored
    assert.notEqual(await memory.onSessionLookup(key), null);
    await assert.rejects(client.restoreSession(key), SessionNotFoundError);
    manager.forgetGate.open();
    assert.equal(await closing, 0);
    assert.deepEqual(running.server.sessionConnections(key), []);
    assert.equal(await memory.onSessionLookup(key), null);
    await logsInAgain(client);
  } finally {
    await teardown(race);
  }
});

test("a restore of another session while one is being closed succeeds", async () => {
  const race = await setup();
  const { running, manager, client, key } = race;
  const other = await loggedInClient(running.url, "bob");
  try {
    const bobKey = other.session!.key;
    await other.close();
    manager.holdForgetOf = key;
    const closing = running.server.closeSession(key);
    await manager.forgetStarted.opened;
    await client.restoreSession(bobKey);
    manager.forgetGate.open();
    assert.equal(await closing, 0);
    assert.equal(running.server.sessionConnections(bobKey).length, 1);
    assert.equal(client.session?.key, bobKey, "the close of another key left it alone");
  } finally {
    await other.close();
    await teardown(race);
  }
});
