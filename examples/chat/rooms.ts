/**
 * Rooms and presence of the chat example. A room is a topic, `room:<name>`: a connection in the
 * room is subscribed to it, and a publish sends messages and presence lines to everyone in it.
 * A connection is in at most one room. Presence is per user (per session), not per tab:
 * "joined" when the first connection of a session enters a room, "left" when its last one
 * leaves it. Users are told apart by the id their session got at login, not by their name.
 *
 * The functions take the server as a `TypedServer` of the chat's contract, so the presence
 * lines they publish are checked against it.
 *
 * @example
 * ```ts
 * import { Server } from "../../server.ts";
 * import { createRouter, TypedServer } from "../../typed/mod.ts";
 * import { chat } from "./contract.ts";
 * import { joinRoom, leaveRoom } from "./rooms.ts";
 *
 * const server: Server = new Server({
 *   ...createRouter(chat, {
 *     requests: {
 *       login: async (name, { connection }) => {
 *         await connection.createSession({ name });
 *       },
 *       join: (room, { connection }) => {
 *         return { room, members: joinRoom(push, connection, room), recent: [] };
 *       },
 *       say: () => {},
 *       logout: (_, { connection }) => leaveRoom(push, connection),
 *     },
 *   }),
 * });
 * const push = new TypedServer(server, chat);
 * await server.shutdown();
 * ```
 * @module
 */

// JSR: import type { Connection, Server } from "@webwire/webwire/server";
import type { Connection, Server, Session } from "../../server.ts";
// JSR: import type { TypedServer } from "@webwire/webwire/typed";
import type { TypedServer } from "../../typed/mod.ts";
import type { Chat, Member } from "./contract.ts";

const topicPrefix = "room:";

/**
 * The topic of a room.
 *
 * @example
 * ```ts
 * import { roomTopic } from "./rooms.ts";
 * console.assert(roomTopic("lobby") === "room:lobby");
 * ```
 */
export function roomTopic(room: string): string {
  return topicPrefix + room;
}

/**
 * The room a connection is in, or `null`. For a connection that has ended, the room it was in.
 *
 * @example
 * ```ts
 * import { currentRoom } from "./rooms.ts";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { serveDeno } from "../../adapters/deno.ts";
 * import { Client } from "../../client.ts";
 * import { TypedClient } from "../../typed/mod.ts";
 * import { createChatServer } from "./chat_server.ts";
 * import { chat } from "./contract.ts";
 * const sessionDirectory = await mkdtemp(join(tmpdir(), "chat-"));
 * const server = createChatServer({ sessionDirectory });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const client = new Client(running.url);
 * const alice = new TypedClient(client, chat);
 * await alice.request("login", "alice");
 * const [connection] = server.connections(); // alice's, on the server
 * console.assert(currentRoom(connection) === null);
 * await alice.request("join", "lobby");
 * console.assert(currentRoom(connection) === "lobby");
 * await client.close();
 * await running.close();
 * await rm(sessionDirectory, { recursive: true });
 * ```
 */
export function currentRoom(connection: Connection): string | null {
  const topic = connection.topics.find((topic) => topic.startsWith(topicPrefix));
  return topic === undefined ? null : topic.slice(topicPrefix.length);
}

/**
 * The user of a connection's session (its id and name, set at login), or `null` without a
 * session.
 *
 * @example
 * ```ts
 * import { sessionUser } from "./rooms.ts";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { serveDeno } from "../../adapters/deno.ts";
 * import { Client } from "../../client.ts";
 * import { TypedClient } from "../../typed/mod.ts";
 * import { createChatServer } from "./chat_server.ts";
 * import { chat } from "./contract.ts";
 * const sessionDirectory = await mkdtemp(join(tmpdir(), "chat-"));
 * const server = createChatServer({ sessionDirectory });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const client = new Client(running.url);
 * const alice = new TypedClient(client, chat);
 * await alice.request("login", "alice");
 * const [connection] = server.connections(); // alice's, on the server
 * console.assert(sessionUser(connection)?.name === "alice");
 * await client.close();
 * await running.close();
 * await rm(sessionDirectory, { recursive: true });
 * ```
 */
export function sessionUser(connection: Connection): Member | null {
  return memberOf(connection.session);
}

/** The user a session was logged in as, or `null` (no session, or not one of the chat's). */
function memberOf(session: Session | null): Member | null {
  const info = session?.info;
  const name = info?.name;
  if (typeof name !== "string") return null;
  // A session from before ids were given out is told apart by its name.
  return { id: typeof info?.id === "string" ? info.id : `name:${name}`, name };
}

/**
 * The users in a room, sorted by name, each once.
 *
 * @example
 * ```ts
 * import { Server } from "../../server.ts";
 * import { roomMembers } from "./rooms.ts";
 * const server = new Server();
 * console.assert(roomMembers(server, "lobby").length === 0);
 * await server.shutdown();
 * ```
 */
export function roomMembers(server: Server, room: string): Member[] {
  const members = new Map<string, Member>();
  // The room's subscribers, not every connection of the server: a join costs the size of its
  // room, and the pages that all rejoin after a restart cost no square of the connections.
  for (const connection of server.topicConnections(roomTopic(room))) {
    const user = sessionUser(connection);
    if (user !== null && currentRoom(connection) === room) members.set(user.id, user);
  }
  return [...members.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1
  );
}

/**
 * Moves a logged-in connection into `room` (out of the room it was in), tells the room when
 * the user is new there, and returns the room's members.
 *
 * @example
 * ```ts
 * import { joinRoom } from "./rooms.ts";
 * import { TypedServer } from "../../typed/mod.ts";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { serveDeno } from "../../adapters/deno.ts";
 * import { Client } from "../../client.ts";
 * import { TypedClient } from "../../typed/mod.ts";
 * import { createChatServer } from "./chat_server.ts";
 * import { chat } from "./contract.ts";
 * const sessionDirectory = await mkdtemp(join(tmpdir(), "chat-"));
 * const server = createChatServer({ sessionDirectory });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const client = new Client(running.url);
 * const alice = new TypedClient(client, chat);
 * await alice.request("login", "alice");
 * const [connection] = server.connections(); // alice's, on the server
 * const push = new TypedServer(server, chat);
 * console.assert(joinRoom(push, connection, "lobby")[0].name === "alice");
 * await client.close();
 * await running.close();
 * await rm(sessionDirectory, { recursive: true });
 * ```
 */
export function joinRoom(push: TypedServer<Chat>, connection: Connection, room: string): Member[] {
  const user = sessionUser(connection);
  if (user === null) throw new Error("joinRoom needs a connection with a session");
  if (currentRoom(connection) === room) return roomMembers(push.server, room);
  leaveRoom(push, connection);
  // Published before subscribing: the others see the line, the user gets the member list.
  if (!inRoomElsewhere(push.server, connection, room, connection.session!.key)) {
    push.publish(roomTopic(room), "presence", { room, ...user, event: "joined" });
  }
  connection.subscribe(roomTopic(room));
  return roomMembers(push.server, room);
}

/**
 * Takes a connection out of its room and tells the room when the user has no other connection
 * there. Also for a connection that has ended (from `onClientDisconnected`, where
 * `connection.topics` still lists the room it was in), and for one whose session has ended
 * (from `onSessionEnded`, which gives the `session` it no longer holds).
 *
 * @example
 * ```ts
 * import { Server } from "../../server.ts";
 * import { TypedServer } from "../../typed/mod.ts";
 * import { chat } from "./contract.ts";
 * import { leaveRoom } from "./rooms.ts";
 * const server = new Server({ onClientDisconnected: (connection) => leaveRoom(push, connection) });
 * const push = new TypedServer(server, chat);
 * await server.shutdown();
 * ```
 */
export function leaveRoom(
  push: TypedServer<Chat>,
  connection: Connection,
  session: Session | null = connection.session,
): void {
  const room = currentRoom(connection);
  const user = memberOf(session);
  if (room === null) return;
  connection.unsubscribe(roomTopic(room));
  if (user !== null && !inRoomElsewhere(push.server, connection, room, session!.key)) {
    push.publish(roomTopic(room), "presence", { room, ...user, event: "left" });
  }
}

/** Whether another connection of the same session (another tab) is in the room. */
function inRoomElsewhere(
  server: Server,
  connection: Connection,
  room: string,
  key: string,
): boolean {
  return server.sessionConnections(key).some((other) =>
    other !== connection && other.isActive && currentRoom(other) === room
  );
}
