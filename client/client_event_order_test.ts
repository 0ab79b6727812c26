// The order of a connection's events as a client sees them, over real sockets: `connected`
// first, then the signals and session events that came on that connection in the order they
// came, `disconnected` last; for a first connection, a restored stored session, a stored
// session the server no longer knows, a reconnect, and a connection lost while restoring.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import type { SessionLookupResult, SessionManager } from "../session/session_manager.ts";
import { type StartedServer, type StartOptions, startServer } from "../testing/serve.ts";
import { storedSession } from "../testing/stored_session.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";
import { memorySessionStorage } from "./session_storage.ts";

/** A server whose `onClientConnected` sends two signals at once; `login` creates a session. */
function welcomingServer(options: StartOptions = {}): Promise<StartedServer> {
  return startServer({
    logger: silentLogger,
    onClientConnected: (connection) => {
      connection.signal("welcome", "1");
      connection.signal("welcome", "2");
    },
    onRequest: async ({ name, connection }) => {
      if (name === "login") await connection.createSession({ user: "ada" });
      if (name === "drop") setTimeout(() => void connection.close(), 0); // after the reply
      return "ok";
    },
    ...options,
  });
}

/** A client whose hooks write every connection and session event to `log`. */
function recordingClient(url: string, log: string[], options: ClientOptions = {}): Client {
  const client: Client = new Client(url, {
    logger: silentLogger,
    reconnect: { initialDelay: 10, maxDelay: 20 },
    onConnected: () => log.push(`connected${client.session === null ? "" : " with a session"}`),
    onDisconnected: () => log.push("disconnected"),
    onConnectFailed: () => log.push("connectfailed"),
    onSignal: (signal) => log.push(`${signal.name} ${signal.payload.text()}`),
    onSessionCreated: (session) => log.push(`sessioncreated ${session.info?.user}`),
    onSessionClosed: () => log.push("sessionclosed"),
    ...options,
  });
  return client;
}

/** One scenario: the server it needs, the client's options, and what the test does. */
interface Scenario {
  server?: StartOptions;
  client?: (running: StartedServer) => ClientOptions | Promise<ClientOptions>;
  /** Before connecting (listeners, gates). */
  prepare?: (client: Client, log: string[], running: StartedServer) => void;
  /** After `connect()` resolved (requests). */
  act?: (client: Client) => Promise<void>;
  /** How many entries the log holds once the scenario is over. */
  entries: number;
}

/** Runs a scenario against a welcoming server; returns what the client's log held at its end. */
async function eventOrder(scenario: Scenario): Promise<{ log: string[] }> {
  const running = await welcomingServer(scenario.server);
  const log: string[] = [];
  const client = recordingClient(running.url, log, await scenario.client?.(running));
  try {
    scenario.prepare?.(client, log, running);
    // A first attempt that fails is part of some scenarios: a retry follows on its own.
    await client.connect().catch(() => {});
    await scenario.act?.(client);
    await until(() => log.length >= scenario.entries, `${scenario.entries} events`);
    return { log: [...log] }; // before closing adds its own events
  } finally {
    await client.close();
    await running.close();
  }
}

describe("Client event order", () => {
  it("signals sent in onClientConnected follow connected (hooks and events alike)", async () => {
    const { log } = await eventOrder({
      prepare: (client, log) => {
        client.addEventListener("connected", () => log.push("event connected"));
        client.addEventListener("signal", (e) => log.push(`event signal ${e.detail.name}`));
      },
      entries: 6,
    });
    assert.deepEqual(log, [
      "connected",
      "event connected",
      "welcome 1",
      "event signal welcome",
      "welcome 2",
      "event signal welcome",
    ]);
  });

  it("the same with the ws package's WebSocket, which may deliver frames back to back", async () => {
    const { log } = await eventOrder({
      server: { adapter: "node" },
      client: () => ({ WebSocket: NodeWebSocket }),
      entries: 3,
    });
    assert.deepEqual(log, ["connected", "welcome 1", "welcome 2"]);
  });

  it("a listener of a held signal that closes the client: the rest, then disconnected", async () => {
    let status = "";
    const { log } = await eventOrder({
      // The signals come while the client restores a session the server does not know.
      client: () => ({ sessionStorage: memorySessionStorage("no-such-session") }),
      prepare: (client) => {
        client.addEventListener("signal", () => void client.close(), { once: true });
        client.addEventListener("disconnected", () => status = client.status);
      },
      entries: 5,
    });
    assert.deepEqual(log, ["connected", "welcome 1", "welcome 2", "sessionclosed", "disconnected"]);
    assert.equal(status, "closed");
  });

  it("a stored session being restored: connected, the signals, then sessioncreated", async () => {
    const { log } = await eventOrder({
      client: async (running) => ({ sessionStorage: await storedSession(running) }),
      entries: 4,
    });
    // The signals left the server before the restore's reply, and the session is restored
    // when `connected` fires.
    assert.deepEqual(log, [
      "connected with a session",
      "welcome 1",
      "welcome 2",
      "sessioncreated ada",
    ]);
  });

  it("a stored session the server does not know: connected, the signals, then sessionclosed", async () => {
    const { log } = await eventOrder({
      client: () => ({ sessionStorage: memorySessionStorage("no-such-session") }),
      entries: 4,
    });
    assert.deepEqual(log, ["connected", "welcome 1", "welcome 2", "sessionclosed"]);
  });

  it("after a reconnect that restores the session: disconnected, connected, the signals", async () => {
    const { log } = await eventOrder({
      act: async (client) => {
        await client.request("login");
        await client.request("drop"); // the server closes the connection after its reply
      },
      entries: 8,
    });
    assert.deepEqual(log, [
      "connected",
      "welcome 1",
      "welcome 2",
      "sessioncreated ada",
      "disconnected",
      "connected with a session",
      "welcome 1",
      "welcome 2",
    ]);
  });

  it("signals of a connection lost while restoring are dropped; the next one's follow connected", async () => {
    const sessions = new LookupGate();
    const { log } = await eventOrder({
      server: { sessionManager: sessions },
      client: async (running) => ({
        sessionStorage: await storedSession(running),
        WebSocket: WatchedWebSocket,
      }),
      // The first restore: once the client has the signals, its socket closes; then the server
      // answers, too late.
      prepare: () => {
        sessions.beforeLookup = async () => {
          sessions.beforeLookup = undefined;
          const socket = WatchedWebSocket.latest!;
          await until(() => socket.messages === 3, "accept-conf and the signals at the client");
          socket.close();
          await until(() => socket.readyState === WebSocket.CLOSED, "the client's socket closed");
        };
      },
      entries: 5,
    });
    assert.deepEqual(log, [
      "connectfailed",
      "connected with a session",
      "welcome 1",
      "welcome 2",
      "sessioncreated ada",
    ]);
  });
});

/** The global `WebSocket`, counting the messages it receives; the latest one is kept. */
class WatchedWebSocket extends WebSocket {
  static latest: WatchedWebSocket | undefined;
  messages = 0;

  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    WatchedWebSocket.latest = this;
    this.addEventListener("message", () => this.messages++);
  }
}

/** Sessions in memory; a lookup (a restore) waits for `beforeLookup` first, when set. */
class LookupGate implements SessionManager {
  beforeLookup: (() => Promise<void>) | undefined;
  readonly #memory = new MemorySessionManager();

  onSessionCreated(session: Parameters<SessionManager["onSessionCreated"]>[0]): void {
    this.#memory.onSessionCreated(session);
  }

  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    await this.beforeLookup?.();
    return this.#memory.onSessionLookup(key);
  }

  onSessionClosed(key: string): void {
    this.#memory.onSessionClosed(key);
  }
}

describe("Client event order with the signals a session missed while offline", () => {
  // The ws package hands over the messages of one read back to back, before the restore's
  // promise can resume: the session must be taken as its reply arrives.
  for (const how of ["a stored session on connect", "restoreSession"] as const) {
    it(`${how}: sessioncreated, then the kept signals (ws package's WebSocket)`, async () => {
      const running = await welcomingServer();
      const storage = await storedSession(running);
      const key = (await storage.get())!;
      for (const n of [1, 2, 3]) running.server.signalSession(key, "mail", String(n));
      const log: string[] = [];
      const client = recordingClient(running.url, log, {
        WebSocket: NodeWebSocket,
        ...(how === "restoreSession" ? {} : { sessionStorage: storage }),
        onSignal: (signal) =>
          log.push(`${signal.name} ${signal.payload.text()} ${client.session?.key === key}`),
      });
      try {
        await client.connect();
        if (how === "restoreSession") await client.restoreSession(key);
        await until(() => log.length >= 7, "7 events");
        assert.deepEqual(log, [
          how === "restoreSession" ? "connected" : "connected with a session",
          `welcome 1 ${how !== "restoreSession"}`,
          `welcome 2 ${how !== "restoreSession"}`,
          "sessioncreated ada",
          "mail 1 true",
          "mail 2 true",
          "mail 3 true",
        ]);
      } finally {
        await client.close();
        await running.close();
      }
    });
  }
});
