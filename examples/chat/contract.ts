/**
 * The chat's contract, shared by the server (`chat_server.ts`) and the page (`page/chat.ts`):
 * its requests with their payloads and replies, and the signals the server sends. Payloads are
 * [valibot](https://valibot.dev) schemas, so the server checks (and trims) what users send
 * before a handler runs, and the types both ends use are inferred from them: one place says
 * what a name, a room and a message are.
 *
 * | request  | payload     | reply                 |
 * | -------- | ----------- | --------------------- |
 * | `login`  | a user name | nothing               |
 * | `join`   | a room name | {@link Joined}        |
 * | `say`    | a message   | nothing               |
 * | `logout` | nothing     | nothing               |
 *
 * Server signals: `message` ({@link ChatMessage}) and `presence` ({@link Presence}).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { roomName } from "./contract.ts";
 * console.assert(v.parse(roomName, " Café-2 ") === "café-2");
 * console.assert(!v.safeParse(roomName, "no spaces").success);
 * ```
 * @module
 */

// With valibot from npm (`deno add npm:valibot`) or JSR (`deno add jsr:@valibot/valibot`).
import * as v from "valibot";
// JSR: import { type ContractOf, defineContract, unchecked } from "@webwire/webwire/typed";
import { type ContractOf, defineContract, unchecked } from "../../typed/mod.ts";

/**
 * The payload of a `message` signal.
 *
 * @example
 * ```ts
 * import type { ChatMessage } from "./contract.ts";
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
 * The payload of a `presence` signal: a user came into the room or left it.
 *
 * @example
 * ```ts
 * import type { Presence } from "./contract.ts";
 * const presence: Presence = { name: "alice", event: "joined" };
 * console.assert(presence.event === "joined");
 * ```
 */
export interface Presence {
  /** The user's name. */
  readonly name: string;
  /** What happened. */
  readonly event: "joined" | "left";
}

/**
 * The reply to `join`: the room's name as the server spells it, and who is in it.
 *
 * @example
 * ```ts
 * import type { Joined } from "./contract.ts";
 * const joined: Joined = { room: "lobby", members: ["alice", "bob"] };
 * console.assert(joined.members.length === 2);
 * ```
 */
export interface Joined {
  /** The room, trimmed and lowercased. */
  readonly room: string;
  /** The names of the users in it, sorted, each once. */
  readonly members: readonly string[];
}

// deno-lint-ignore no-control-regex -- control characters are what it refuses
const printable = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * A user name: trimmed, 1 to 24 characters, no control characters.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { userName } from "./contract.ts";
 * console.assert(v.parse(userName, "  Ada Lovelace ") === "Ada Lovelace");
 * console.assert(v.safeParse(userName, "   ").issues?.[0].message === "a name is needed");
 * ```
 */
export const userName = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty("a name is needed"),
  v.maxLength(24, "a name has at most 24 characters"),
  v.regex(printable, "a name has no control characters"),
);

/**
 * A room name: trimmed and lowercased, 1 to 32 letters, digits, `_` or `-`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { roomName } from "./contract.ts";
 * console.assert(v.parse(roomName, "Lobby") === "lobby");
 * ```
 */
export const roomName = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "a room name has 1 to 32 letters, digits, _ or -"),
);

/**
 * A message: trimmed, 1 to 500 characters, no control characters.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { messageText } from "./contract.ts";
 * console.assert(v.parse(messageText, " hello ") === "hello");
 * ```
 */
export const messageText = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty("a message is needed"),
  v.maxLength(500, "a message has at most 500 characters"),
  v.regex(printable, "a message has no control characters"),
);

/**
 * The chat's contract. Replies and server signals are `unchecked`: they only give types, since
 * the server trusts its own handlers.
 *
 * @example
 * ```ts
 * import { Server } from "../../server.ts";
 * import { createRouter } from "../../typed/mod.ts";
 * import { chat } from "./contract.ts";
 * const server = new Server({
 *   ...createRouter(chat, {
 *     requests: {
 *       login: () => {},
 *       join: (room) => ({ room, members: [] }),
 *       say: (text) => console.log(text),
 *       logout: () => {},
 *     },
 *   }),
 * });
 * await server.shutdown();
 * ```
 */
export const chat = defineContract({
  requests: {
    login: { payload: userName },
    join: { payload: roomName, reply: unchecked<Joined>() },
    say: { payload: messageText },
    logout: {},
  },
  serverSignals: {
    message: unchecked<ChatMessage>(),
    presence: unchecked<Presence>(),
  },
});

/**
 * The contract as a type: what the page imports (types only, so no schema code reaches it).
 *
 * @example
 * ```ts
 * import type { Chat } from "./contract.ts";
 * import type { RequestReply } from "../../typed/mod.ts";
 * const joined: RequestReply<Chat, "join"> = { room: "lobby", members: ["alice"] };
 * console.assert(joined.room === "lobby");
 * ```
 */
export type Chat = ContractOf<typeof chat>;
