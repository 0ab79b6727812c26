// createSession writes the session JSON before it stores anything: info that cannot be JSON is
// a TypeError that leaves nothing behind (the connection can create a session after it), and
// info whose JSON is {} is none on both sides. A real server and client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import type { Session } from "../protocol/session_json.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { SessionInfo } from "../protocol/session_json.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

test("info that cannot be JSON is refused before anything is stored", async () => {
  const manager = new MemorySessionManager();
  const refusals: string[] = [];
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    onRequest: async ({ name, connection }) => {
      const cycle: Record<string, unknown> = { user: "ada" };
      cycle.self = cycle;
      const bad = name === "bigint" ? { n: 10n } : cycle;
      if (name !== "login") {
        try {
          await connection.createSession(bad as unknown as SessionInfo);
        } catch (error) {
          refusals.push(`${(error as Error).name} ${connection.session === null}`);
        }
        return "refused";
      }
      return (await connection.createSession({ user: "ada" })).key;
    },
  });
  const created: Session[] = [];
  const client = new Client(running.url, {
    logger: silentLogger,
    onSessionCreated: (session) => void created.push(session),
  });
  try {
    assert.equal((await client.request("bigint")).text(), "refused");
    assert.equal((await client.request("cycle")).text(), "refused");
    assert.deepEqual(refusals, ["TypeError true", "TypeError true"]);
    assert.equal(running.server.activeSessionsCount, 0);
    assert.equal(created.length, 0);
    const key = (await client.request("login")).text();
    await until(() => created.length === 1, "the client hears of the session");
    assert.equal(client.session?.key, key);
    assert.deepEqual(client.session?.info, { user: "ada" });
    assert.notEqual(await manager.onSessionLookup(key), null);
    assert.equal(running.server.activeSessionsCount, 1);
  } finally {
    await client.close();
    await running.close();
  }
});

test("info whose JSON is {} is none on the server and on the client", async () => {
  let serverInfo: unknown = "unset";
  const running = await startServer({
    logger: silentLogger,
    onRequest: async ({ connection }) => {
      const info = { gone: undefined } as unknown as SessionInfo;
      serverInfo = (await connection.createSession(info)).info;
      return "ok";
    },
  });
  const client = new Client(running.url, { logger: silentLogger });
  try {
    await client.request("login");
    await until(() => client.session !== null, "the client hears of the session");
    assert.equal(serverInfo, undefined);
    assert.equal(client.session?.info, undefined);
    assert.equal("info" in client.session!, false);
  } finally {
    await client.close();
    await running.close();
  }
});
