/**
 * The chat's contract, shared by the server (`chat_server.ts`) and the page (`page.ts`):
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
 * Server signals: `message` ({@link ChatMessage}) and `presence` ({@link Presence}). A user is
 * a {@link Member}: a name, which two users may share, and an id of their session.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { roomName } from "./contract.ts";
 * console.assert(v.parse(roomName, " Café-2 ") === "café-2");
 * console.assert(v.parse(roomName, "नमस्ते") === "नमस्ते");
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
 * const message: ChatMessage = { id: "m1", name: "bob", text: "hi", time: new Date().toISOString() };
 * console.assert(message.text === "hi");
 * ```
 */
export interface ChatMessage {
  /**
   * Random, made by the server: a page that hears a message twice (live, then in a join's
   * `recent`) shows it once.
   */
  readonly id: string;
  /** Who said it. */
  readonly name: string;
  /** What was said. */
  readonly text: string;
  /** When the server got it, as an ISO 8601 time. */
  readonly time: string;
}

/**
 * A user in a room: the name they logged in with and the id of their session. Names are not
 * unique (two people may both be "sam"), ids are: pages key their member lists by the id.
 *
 * @example
 * ```ts
 * import type { Member } from "./contract.ts";
 * const member: Member = { id: "k3v9", name: "sam" };
 * console.assert(member.name === "sam");
 * ```
 */
export interface Member {
  /** The id of the user's session: random, made at login, not the session key. */
  readonly id: string;
  /** The user's name. */
  readonly name: string;
}

/**
 * The payload of a `presence` signal: a user came into a room or left it. It names the room:
 * while a page changes rooms it still hears the one it is leaving.
 *
 * @example
 * ```ts
 * import type { Presence } from "./contract.ts";
 * const presence: Presence = { room: "lobby", id: "k3v9", name: "alice", event: "joined" };
 * console.assert(presence.event === "joined");
 * ```
 */
export interface Presence extends Member {
  /** The room, as in {@link Joined}. */
  readonly room: string;
  /** What happened. */
  readonly event: "joined" | "left";
}

/**
 * The reply to `join`: the room's name as the server spells it, and who is in it.
 *
 * @example
 * ```ts
 * import type { Joined } from "./contract.ts";
 * const joined: Joined = { room: "lobby", members: [{ id: "k3v9", name: "alice" }], recent: [] };
 * console.assert(joined.members.length === 1);
 * ```
 */
export interface Joined {
  /** The room, trimmed, lowercased and in NFC. */
  readonly room: string;
  /** The users in it, sorted by name, each once. */
  readonly members: readonly Member[];
  /**
   * The room's last messages, oldest first: a page rejoining after a lost connection shows
   * those it missed meanwhile.
   */
  readonly recent: readonly ChatMessage[];
}

// Control characters, line and paragraph separators, and the characters that draw nothing
// (format characters, \p{Cf}, and the rest of Unicode's default-ignorables, such as U+3164, a
// blank letter): they turn the text after them around (U+202E), hide text (the tag characters)
// or make a name look blank. Allowed: the joiners that some scripts and emoji need (U+200C,
// U+200D), the variation selectors (U+FE0F: "❤️") and an emoji flag's tag sequence (🏴 with
// tags, ending in U+E007F: the flag of Scotland).
const visible = /[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{DI}]|[\u200c\u200d\p{VS}]/u.source;
const flagTags = /\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,6}\u{E007F}/u.source;
const printable = new RegExp(`^(?:${visible}|${flagTags})*$`, "u");

/**
 * At most 8 combining marks on one character: real text stacks a few (Vietnamese, Tibetan,
 * Hebrew with its points); "Zalgo" text stacks hundreds, drawn over the lines around it.
 */
function fewMarks(message: string) {
  return v.check((text: string) => !/\p{M}{9}/u.test(text), message);
}

/** At most `max` characters, counted in code points (`"𝒜".length` is 2). */
function maxCodePoints(max: number, message: string) {
  return v.check((text: string) => [...text].length <= max, message);
}

/**
 * A user name: trimmed, in NFC, 1 to 24 characters (code points), no control or invisible
 * characters, at most 8 combining marks on a character (see {@link messageText}).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { userName } from "./contract.ts";
 * console.assert(v.parse(userName, "  Ada Lovelace ") === "Ada Lovelace");
 * console.assert(v.safeParse(userName, "   ").issues?.[0].message === "a name is needed");
 * console.assert(!v.safeParse(userName, "\u202enhoj").success);
 * ```
 */
export const userName = v.pipe(
  v.string(),
  v.trim(),
  v.normalize("NFC"),
  v.nonEmpty("a name is needed"),
  maxCodePoints(24, "a name has at most 24 characters"),
  v.regex(printable, "a name has no control or invisible characters"),
  fewMarks("a name has at most 8 marks on one character"),
);

/**
 * A room name: trimmed, lowercased and in NFC, 1 to 32 letters (with their marks: `नमस्ते`,
 * `cafe\u0301`), digits, `_` or `-`, counted in code points.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { roomName } from "./contract.ts";
 * console.assert(v.parse(roomName, "Lobby") === "lobby");
 * console.assert(v.parse(roomName, "cafe\u0301") === "café");
 * ```
 */
export const roomName = v.pipe(
  v.string(),
  v.trim(),
  v.normalize("NFC"),
  v.toLowerCase(),
  // Lowercasing can undo NFC ("İ" becomes "i" and a combining dot).
  v.normalize("NFC"),
  v.regex(
    /^[\p{L}\p{N}_-][\p{L}\p{M}\p{N}_-]{0,31}$/u,
    "a room name has 1 to 32 letters, digits, _ or -",
  ),
);

/**
 * A message: trimmed, in NFC, 1 to 500 characters (code points), no control or invisible
 * characters, at most 8 combining marks on a character (as in a {@link userName}). A message
 * refused for them says so, rather than being changed behind its writer's back.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { messageText } from "./contract.ts";
 * console.assert(v.parse(messageText, " hello ") === "hello");
 * console.assert(!v.safeParse(messageText, "see \u202ecod.exe").success);
 * ```
 */
export const messageText = v.pipe(
  v.string(),
  v.trim(),
  v.normalize("NFC"),
  v.nonEmpty("a message is needed"),
  maxCodePoints(500, "a message has at most 500 characters"),
  v.regex(printable, "a message has no control or invisible characters"),
  fewMarks("a message has at most 8 marks on one character"),
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
 *       join: (room) => ({ room, members: [], recent: [] }),
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
 * const joined: RequestReply<Chat, "join"> = { room: "lobby", members: [], recent: [] };
 * console.assert(joined.room === "lobby");
 * ```
 */
export type Chat = ContractOf<typeof chat>;
