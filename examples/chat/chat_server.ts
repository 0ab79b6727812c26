/**
 * The chat example's WebWire server: what each request does, sessions in files, and presence
 * when a connection ends. Runtime-neutral; `main.ts` serves it with Hono on Deno.
 *
 * | request | payload | does | replies |
 * |---|---|---|---|
 * | `login` | the name | creates a session `{ name }` | nothing (the session arrives) |
 * | `join` | a room name | moves the connection into the room | `{ room, members }` |
 * | `say` | the text | publishes a `message` signal to the room | nothing |
 * | `logout` | — | leaves the room, closes the session in every tab | nothing |
 *
 * Signals to the page: `message` (`{ name, text, time }`) and `presence` (`{ name, event }`).
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

// JSR: import { type IncomingRequest, RequestError, Server } from "@webwire/webwire/server";
import { type IncomingRequest, RequestError, Server } from "../../server.ts";
// JSR: import { FileSessionManager } from "@webwire/webwire/session";
import { FileSessionManager } from "../../session/mod.ts";
import { parseMessageText, parseRoomName, parseUserName } from "./input.ts";
import { currentRoom, joinRoom, leaveRoom, roomTopic, userName } from "./rooms.ts";

/**
 * The payload of a `message` signal.
 *
 * @example
 * ```ts
 * import type { ChatMessage } from "./chat_server.ts";
 * const message: ChatMessage = { name: "bob", text: "hi", time: new Date().toISOString() };
 * console.assert(message.text === "hi");
 * ```
 */
export interface ChatMessage {
  /** Who said it. */
  readonly name: string;
  /** What was said. */
  readonly text: string;
  /** When the server got it, as an ISO 8601 time. */
  readonly time: string;
}

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
  const server: Server = new Server({
    sessionManager: new FileSessionManager({ directory: options.sessionDirectory }),
    onRequest: (request) => handleRequest(server, request),
    onClientDisconnected: (connection, reason) => {
      // A restart is no goodbye: the pages come back by themselves, so say nothing.
      if (reason.kind !== "shutdown") leaveRoom(server, connection);
    },
  });
  return server;
}

async function handleRequest(server: Server, request: IncomingRequest): Promise<string | void> {
  const { connection, payload } = request;
  if (request.name === "login") {
    if (connection.session !== null) throw new RequestError("LOGGED_IN", "log out first");
    await connection.createSession({ name: parseUserName(payload.text()) });
    return;
  }
  const name = userName(connection);
  const key = connection.session?.key;
  if (name === null || key === undefined) throw new RequestError("LOGGED_OUT", "log in first");
  switch (request.name) {
    case "join": {
      const room = parseRoomName(payload.text());
      return JSON.stringify({ room, members: joinRoom(server, connection, room) });
    }
    case "say": {
      const room = currentRoom(connection);
      if (room === null) throw new RequestError("NO_ROOM", "join a room first");
      const message: ChatMessage = {
        name,
        text: parseMessageText(payload.text()),
        time: new Date().toISOString(),
      };
      server.publish(roomTopic(room), "message", JSON.stringify(message));
      return;
    }
    case "logout":
      for (const tab of server.sessionConnections(key)) leaveRoom(server, tab);
      await server.closeSession(key);
      return;
    default:
      throw new RequestError("UNKNOWN_REQUEST", `no request named ${request.name}`);
  }
}
