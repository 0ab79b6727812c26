/**
 * The chat example's WebWire server: a router of the contract's requests (`contract.ts`),
 * sessions in files, and presence when a connection ends. Runtime-neutral; `main.ts` serves it
 * with Hono on Deno.
 *
 * | request  | does                                                              |
 * | -------- | ----------------------------------------------------------------- |
 * | `login`  | creates a session `{ name, id }` (it arrives at the client)       |
 * | `join`   | moves the connection into the room, replies with its members      |
 * | `say`    | publishes a `message` signal to the room                          |
 * | `logout` | leaves the room, closes the session in every tab                  |
 *
 * The router answers a payload the contract's schemas refuse with an `INVALID_PAYLOAD` error
 * reply (its message says what was wrong, such as "a name is needed"); the handlers answer with
 * `LOGGED_IN`, `LOGGED_OUT`, `NO_ROOM` and, for a user sending `join` or `say` faster
 * than its rate limit or an address logging in faster than its own, `RATE_LIMITED`. Sessions
 * nobody uses for a day are destroyed. A connection past the bound of its client address
 * (`connection_limit.ts`) is closed as soon as it opens.
 *
 * @example
 * ```ts
 * import { createChatServer } from "./chat_server.ts";
 * const server = createChatServer({ sessionDirectory: "chat-sessions" });
 * // Serve it: app.get("/ws", honoHandler(server, upgradeWebSocket)), as main.ts does.
 * await server.shutdown();
 * ```
 * @module
 */

// JSR: import { type Connection, RequestError, Server, SessionUnavailableError } from
// "@webwire/webwire/server";
import { type Connection, RequestError, Server, SessionUnavailableError } from "../../server.ts";
// JSR: import { FileSessionManager, type SessionManager } from "@webwire/webwire/session";
import { FileSessionManager, type SessionManager } from "../../session/mod.ts";
// JSR: import { createRouter, TypedServer } from "@webwire/webwire/typed";
import { createRouter, TypedServer } from "../../typed/mod.ts";
import { chat, type ChatMessage } from "./contract.ts";
import { clientAddress } from "./client_address.ts";
import { ConnectionLimit } from "./connection_limit.ts";
import { type RecentLimits, RecentMessages } from "./recent_messages.ts";
import { RateLimit, type RateLimitOptions } from "./rate_limit.ts";
import { currentRoom, joinRoom, leaveRoom, roomTopic, sessionUser } from "./rooms.ts";

const day = 24 * 60 * 60 * 1000;
/** The close code of a connection past its address's bound (an application code, 4000s). */
const tooManyConnectionsCode = 4029;

/**
 * Options of {@link createChatServer}.
 *
 * @example
 * ```ts
 * import type { ChatServerOptions } from "./chat_server.ts";
 * const options: ChatServerOptions = { sessionDirectory: "./chat-sessions" };
 * console.assert(options.sessionDirectory === "./chat-sessions");
 * ```
 */
export interface ChatServerOptions {
  /** Where the session files live; sessions in it survive a restart of the server. */
  readonly sessionDirectory: string;
  /** Where sessions are kept instead of files in `sessionDirectory` (tests keep them in memory). */
  readonly sessionManager?: SessionManager;
  /**
   * Milliseconds a session no page holds is kept (its file stays) before it is destroyed and
   * its user has to log in again; default a day.
   */
  readonly sessionIdleTimeout?: number;
  /**
   * The rate limit of `join` and `say`, per user (session), whatever the number of its tabs;
   * default 10 at once, then 2 a second.
   */
  readonly rateLimit?: RateLimitOptions;
  /**
   * The rate limit of `login`, per client address (see `client_address.ts`; per connection
   * when the runtime gives no address); default 20 at once, then one every 10 seconds. Every
   * login makes a session, kept as a file until nobody has used it for `sessionIdleTimeout`.
   */
  readonly loginRateLimit?: RateLimitOptions;
  /**
   * Open connections per client address (`connection_limit.ts`); default 50. A connection past
   * it is closed as soon as it opens. Pass the same `ConnectionLimit` to the HTTP side
   * (`refuseOverLimit`, as `main.ts` does) to refuse such upgrades with 429 before they open.
   */
  readonly connectionLimit?: ConnectionLimit;
  /**
   * The bounds of the rooms' recent messages, which a join brings back: default the last 100
   * of a room, 1000 rooms, 16 MiB in all (an estimate; see `recent_messages.ts`).
   */
  readonly recentMessages?: RecentLimits;
}

/**
 * Creates the chat server.
 *
 * @example
 * ```ts
 * import { createChatServer } from "./chat_server.ts";
 * const server = createChatServer({ sessionDirectory: "chat-sessions" });
 * console.assert(server.connectionCount === 0);
 * await server.shutdown();
 * ```
 */
export function createChatServer(options: ChatServerOptions): Server {
  const recent = new RecentMessages(options.recentMessages);
  const connections = options.connectionLimit ?? new ConnectionLimit(50);
  const limit = new RateLimit(options.rateLimit ?? { burst: 10, perSecond: 2 });
  const logins = new RateLimit(options.loginRateLimit ?? { burst: 20, perSecond: 0.1 });
  const server: Server = new Server({
    sessionManager: options.sessionManager ??
      new FileSessionManager({ directory: options.sessionDirectory }),
    sessionIdleTimeout: options.sessionIdleTimeout ?? day,
    // Each handler gets its payload checked and typed by the contract.
    ...createRouter(chat, {
      requests: {
        login: async (name, { connection }) => {
          if (connection.session !== null) throw loggedInError();
          const address = clientAddress(connection.remoteAddress);
          logins.take(address ?? connection, "too many logins from your address");
          // The id tells apart two users of one name; it is not the key, so it can be shown.
          try {
            await connection.createSession({ name, id: crypto.randomUUID() });
          } catch (error) {
            // Two logins of one connection at once (a double click): both passed the check.
            if (error instanceof SessionUnavailableError && error.reason === "exists") {
              throw loggedInError();
            }
            throw error;
          }
        },
        join: (room, { connection }) => {
          // Per user, by the session's key: more tabs of one session get no more.
          limit.take(loggedIn(connection).key);
          const members = joinRoom(push, connection, room);
          return { room, members, recent: recent.of(room) };
        },
        say: (text, { connection }) => {
          const { name, key } = loggedIn(connection);
          limit.take(key);
          const room = currentRoom(connection);
          if (room === null) throw new RequestError("NO_ROOM", "join a room first");
          const message: ChatMessage = {
            id: crypto.randomUUID(),
            name,
            text,
            time: new Date().toISOString(),
          };
          recent.add(room, message);
          push.publish(roomTopic(room), "message", message);
        },
        logout: async (_, { connection }) => {
          const { key } = loggedIn(connection);
          for (const tab of server.sessionConnections(key)) leaveRoom(push, tab);
          await server.closeSession(key);
        },
      },
    }),
    // A session closed some other way than `logout` (a client's own close-session, say): the
    // connection, still open, leaves its room with it.
    onSessionEnded: (connection, session) => leaveRoom(push, connection, session),
    onClientConnected: (connection) => {
      if (!connections.opened(connection)) {
        void connection.close(tooManyConnectionsCode, "too many connections from your address");
      }
    },
    onClientDisconnected: (connection, reason) => {
      connections.closed(connection);
      // A restart is no goodbye: the pages come back by themselves, so say nothing.
      if (reason.kind !== "shutdown") leaveRoom(push, connection);
    },
  });
  // Server signals, checked against the contract.
  const push = new TypedServer(server, chat);
  return server;
}

/** The user of a logged-in connection; a `LOGGED_OUT` error reply otherwise. */
function loggedIn(connection: Connection): { name: string; key: string } {
  const user = sessionUser(connection);
  const key = connection.session?.key;
  if (user === null || key === undefined) throw new RequestError("LOGGED_OUT", "log in first");
  return { name: user.name, key };
}

function loggedInError(): RequestError {
  return new RequestError("LOGGED_IN", "log out first");
}
