/**
 * What the chat example accepts from users: a user name, a room name and a message text. Each
 * check trims the text and throws a `RequestError` (an error reply with a code the page shows)
 * when it is not acceptable.
 *
 * @example
 * ```ts
 * import { parseRoomName, parseUserName } from "./input.ts";
 * console.assert(parseUserName("  alice ") === "alice");
 * console.assert(parseRoomName("Lobby") === "lobby");
 * ```
 * @module
 */

// JSR: import { RequestError } from "@webwire/webwire/server";
import { RequestError } from "../../server.ts";

const maxNameLength = 24;
const maxTextLength = 500;
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
const roomName = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * A user name: 1 to 24 characters without control characters, trimmed.
 *
 * @throws {RequestError} `BAD_NAME` otherwise.
 * @example
 * ```ts
 * import { parseUserName } from "./input.ts";
 * import { RequestError } from "../../server.ts";
 * console.assert(parseUserName("Ada Lovelace") === "Ada Lovelace");
 * try {
 *   parseUserName("   ");
 * } catch (error) {
 *   console.assert(error instanceof RequestError && error.code === "BAD_NAME");
 * }
 * ```
 */
export function parseUserName(text: string): string {
  const name = text.trim();
  if (name.length === 0 || name.length > maxNameLength || controlCharacters.test(name)) {
    throw new RequestError("BAD_NAME", `a name has 1 to ${maxNameLength} printable characters`);
  }
  return name;
}

/**
 * A room name: 1 to 32 letters, digits, `_` or `-`, lowercased.
 *
 * @throws {RequestError} `BAD_ROOM` otherwise.
 * @example
 * ```ts
 * import { parseRoomName } from "./input.ts";
 * console.assert(parseRoomName(" Café-2 ") === "café-2");
 * ```
 */
export function parseRoomName(text: string): string {
  const room = text.trim().toLowerCase();
  if (!roomName.test(room)) {
    throw new RequestError("BAD_ROOM", "a room name has 1 to 32 letters, digits, _ or -");
  }
  return room;
}

/**
 * A chat message: 1 to 500 characters without control characters, trimmed.
 *
 * @throws {RequestError} `BAD_MESSAGE` otherwise.
 * @example
 * ```ts
 * import { parseMessageText } from "./input.ts";
 * console.assert(parseMessageText(" hello ") === "hello");
 * ```
 */
export function parseMessageText(text: string): string {
  const message = text.trim();
  if (message.length === 0 || message.length > maxTextLength || controlCharacters.test(message)) {
    throw new RequestError(
      "BAD_MESSAGE",
      `a message has 1 to ${maxTextLength} printable characters`,
    );
  }
  return message;
}
