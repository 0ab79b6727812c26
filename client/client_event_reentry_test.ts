// What the client's callbacks and listeners may do while an event is dispatched: close() from
// `onConnected` or from the first `connected` listener still gives every callback and listener
// `connected` first, then the connection's signals and session events, then `disconnected`; and
// an `async` callback that rejects is logged like one that throws, not left unhandled. Real
// sockets on 127.0.0.1.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { storedSession } from "../testing/stored_session.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signals from `onClientConnected`; `login` creates a session. */
function welcomingServer(): Promise<StartedServer> {
  return startServer({
    logger: silentLogger,
    onClientConnected: (connection) => connection.signal("welcome", "hi"),
    onRequest: async ({ name, connection }) => {
      if (name === "login") await connection.createSession({ user: "ada" });
      return "ok";
    },
  });
}

const events = ["connected", "signal", "sessioncreated", "disconnected"] as const;
const expected = ["connected", "signal", "sessioncreated", "disconnected"];

/**
 * Connects a client whose hooks and two listeners of every event record what they hear;
 * `closeIn` says where the client is closed. Returns each one's record.
 */
async function closedWhileConnecting(closeIn: "hook" | "listener"): Promise<{
  hooks: string[];
  first: string[];
  second: string[];
  status: string;
}> {
  const running = await welcomingServer();
  const hooks: string[] = [];
  const first: string[] = [];
  const second: string[] = [];
  const client: Client = new Client(running.url, {
    logger: silentLogger,
    sessionStorage: await storedSession(running),
    onConnected: () => {
      hooks.push("connected");
      if (closeIn === "hook") void client.close();
    },
    onSignal: () => void hooks.push("signal"),
    onSessionCreated: () => void hooks.push("sessioncreated"),
    onDisconnected: () => void hooks.push("disconnected"),
  });
  if (closeIn === "listener") {
    client.addEventListener("connected", () => void client.close(), { once: true });
  }
  for (const type of events) client.addEventListener(type, () => void first.push(type));
  for (const type of events) client.addEventListener(type, () => void second.push(type));
  try {
    await client.connect();
    await sleep(100); // anything late would show up
    return { hooks, first, second, status: client.status };
  } finally {
    await client.close();
    await running.close();
  }
}

describe("Client: events while a callback or listener closes the client", () => {
  test("close() in onConnected: connected, its held events, disconnected, for all", async () => {
    const heard = await closedWhileConnecting("hook");
    assert.deepEqual(heard.hooks, expected);
    assert.deepEqual(heard.first, expected);
    assert.deepEqual(heard.second, expected);
    assert.equal(heard.status, "closed");
  });

  test("close() in the first connected listener: later ones hear connected first", async () => {
    const heard = await closedWhileConnecting("listener");
    assert.deepEqual(heard.hooks, expected);
    assert.deepEqual(heard.first, expected);
    assert.deepEqual(heard.second, expected);
    assert.equal(heard.status, "closed");
  });

  test("close() in a signal listener: a later one hears the signal first", async () => {
    const running = await startServer({
      logger: silentLogger,
      onRequest: ({ connection }) => (connection.signal("tick", "1"), "ok"),
    });
    const client = new Client(running.url, { logger: silentLogger });
    const second: string[] = [];
    client.addEventListener("signal", () => void client.close(), { once: true });
    for (const type of events) client.addEventListener(type, () => void second.push(type));
    try {
      await client.connect();
      await client.request("tick").catch(() => {}); // the close may come before the reply
      await until(() => client.status === "closed", "the listener closed the client");
      assert.deepEqual(second, ["connected", "signal", "disconnected"]);
    } finally {
      await client.close();
      await running.close();
    }
  });
});

describe("Client: async callbacks", () => {
  test("a rejected async callback is logged like a throwing one", async () => {
    const running = await startServer({
      logger: silentLogger,
      onRequest: ({ connection }) => (connection.signal("tick", "1"), "ok"),
    });
    const { logger, errors } = recordingLogger();
    const client = new Client(running.url, {
      logger,
      onSignal: async (signal) => {
        await null;
        throw new Error(`async ${signal.name} failed`);
      },
      onConnected: async () => {}, // resolves: nothing to log
    });
    try {
      assert.equal((await client.request("tick")).text(), "ok");
      await until(() => errors.length > 0, "the rejection logged", 2000);
      await sleep(20);
      assert.equal(errors.length, 1);
      assert.match(errors[0].message, /onSignal callback threw/);
      assert.equal((errors[0].details[0] as Error).message, "async tick failed");
      assert.equal(client.status, "connected", "the client goes on");
    } finally {
      await client.close();
      await running.close();
    }
  });
});
