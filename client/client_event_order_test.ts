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
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";
import { memorySessionStorage, type SessionStorage } from "./session_storage.ts";

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

/** Stores the key of a session that `login` created, as a page that reloads would have it. */
async function storedSession(running: StartedServer): Promise<SessionStorage> {
  const storage = memorySessionStorage();
  const first = new Client(running.url, { logger: silentLogger, sessionStorage: storage });
  await first.request("login");
  await until(() => storage.get() !== null, "the session key stored");
  await first.close();
  return storage;
}

describe("Client event order", () => {
  it("signals sent in onClientConnected follow connected (hooks and events alike)", async () => {
    const running = await welcomingServer();
    const log: string[] = [];
    const client = recordingClient(running.url, log);
    client.addEventListener("connected", () => log.push("event connected"));
    client.addEventListener("signal", (event) => log.push(`event signal ${event.detail.name}`));
    try {
      await client.connect();
      await until(() => log.length >= 6, "two signals");
      assert.deepEqual(log, [
        "connected",
        "event connected",
        "welcome 1",
        "event signal welcome",
        "welcome 2",
        "event signal welcome",
      ]);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("the same with the ws package's WebSocket, which may deliver frames back to back", async () => {
    const running = await welcomingServer({ adapter: "node" });
    const log: string[] = [];
    const client = recordingClient(running.url, log, { WebSocket: NodeWebSocket });
    try {
      await client.connect();
      await until(() => log.length >= 3, "two signals");
      assert.deepEqual(log, ["connected", "welcome 1", "welcome 2"]);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("a listener of a held signal that closes the client: the rest, then disconnected", async () => {
    const running = await welcomingServer();
    const log: string[] = [];
    const client = recordingClient(running.url, log, {
      sessionStorage: memorySessionStorage("no-such-session"), // the signals come while restoring
    });
    client.addEventListener("signal", () => void client.close(), { once: true });
    try {
      await client.connect();
      await until(() => log.length >= 5, "the held events and disconnected");
      assert.deepEqual(log, [
        "connected",
        "welcome 1",
        "welcome 2",
        "sessionclosed",
        "disconnected",
      ]);
      assert.equal(client.status, "closed");
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("a stored session being restored: connected, the signals, then sessioncreated", async () => {
    const running = await welcomingServer();
    const storage = await storedSession(running);
    const log: string[] = [];
    const client = recordingClient(running.url, log, { sessionStorage: storage });
    try {
      await client.connect();
      await until(() => log.length >= 4, "two signals and the session");
      // The signals left the server before the restore's reply, and the session is restored
      // when `connected` fires.
      assert.deepEqual(log, [
        "connected with a session",
        "welcome 1",
        "welcome 2",
        "sessioncreated ada",
      ]);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("a stored session the server does not know: connected, the signals, then sessionclosed", async () => {
    const running = await welcomingServer();
    const log: string[] = [];
    const client = recordingClient(running.url, log, {
      sessionStorage: memorySessionStorage("no-such-session"),
    });
    try {
      await client.connect();
      await until(() => log.length >= 4, "two signals and the refused restore");
      assert.deepEqual(log, ["connected", "welcome 1", "welcome 2", "sessionclosed"]);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("after a reconnect that restores the session: disconnected, connected, the signals", async () => {
    const running = await welcomingServer();
    const log: string[] = [];
    const client = recordingClient(running.url, log);
    try {
      await client.connect();
      await client.request("login");
      await client.request("drop"); // the server closes the connection after its reply
      await until(() => log.length >= 8, "the second connection's signals");
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
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("signals of a connection lost while restoring are dropped; the next one's follow connected", async () => {
    const sessions = new LookupGate();
    const running = await welcomingServer({ sessionManager: sessions });
    const storage = await storedSession(running);
    // The first restore: once the client has the signals, its socket closes; then the server
    // answers, too late.
    sessions.beforeLookup = async () => {
      sessions.beforeLookup = undefined;
      const socket = WatchedWebSocket.latest!;
      await until(() => socket.messages === 3, "accept-conf and the signals at the client");
      socket.close();
      await until(() => socket.readyState === WebSocket.CLOSED, "the client's socket closed");
    };
    const log: string[] = [];
    const client = recordingClient(running.url, log, {
      sessionStorage: storage,
      WebSocket: WatchedWebSocket,
    });
    try {
      await client.connect().catch(() => {}); // the first attempt fails; a retry follows
      await until(() => log.length >= 5, "the second connection's events");
      assert.deepEqual(log, [
        "connectfailed",
        "connected with a session",
        "welcome 1",
        "welcome 2",
        "sessioncreated ada",
      ]);
    } finally {
      await client.close();
      await running.close();
    }
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
