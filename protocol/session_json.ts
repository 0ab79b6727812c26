/**
 * The session JSON sent in session-created notifications and restore replies:
 * `{"k": key, "c": creation, "l": lastLookup, "i": info}` with `"i"` left out when empty.
 *
 * @example
 * ```ts
 * import { formatSessionJson, parseSessionJson } from "./session_json.ts";
 * import { Timestamp } from "./timestamp.ts";
 * const t = Timestamp.parse("2020-01-01T00:00:00.000000001Z");
 * const json = formatSessionJson({ key: "k", creation: t, lastLookup: t, info: { a: 1 } });
 * console.assert(parseSessionJson(json).creation.nanoseconds === 1);
 * ```
 * @module
 */

import { Timestamp } from "./timestamp.ts";

/**
 * A JSON value, as session info fields hold them.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "./session_json.ts";
 * const v: JsonValue = { list: [1, "two", null] };
 * console.assert(v !== null);
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Session info: named JSON fields.
 *
 * @example
 * ```ts
 * import type { SessionInfo } from "./session_json.ts";
 * const info: SessionInfo = { user: "ada" };
 * console.assert(info.user === "ada");
 * ```
 */
export type SessionInfo = { [field: string]: JsonValue };

/**
 * A session: its key, when it was created and last looked up, and its info fields. The server
 * and the client share it (`connection.session`, `client.session`).
 *
 * @example
 * ```ts
 * import type { Session } from "./session_json.ts";
 * import { Timestamp } from "./timestamp.ts";
 * const s: Session = { key: "k", creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * console.assert(s.key === "k");
 * ```
 */
export interface Session {
  /** The session key, as the key generator made it. */
  readonly key: string;
  /** When the session was created. */
  readonly creation: Timestamp;
  /** When the session was last looked up (restored). */
  readonly lastLookup: Timestamp;
  /** The info fields given at creation; absent when none. */
  readonly info?: SessionInfo;
}

/**
 * A session as the wire carries it.
 *
 * @example
 * ```ts
 * import type { SessionData } from "./session_json.ts";
 * import { Timestamp } from "./timestamp.ts";
 * const s: SessionData = { key: "k", creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * console.assert(s.key === "k");
 * ```
 */
export interface SessionData {
  /** The session key. */
  key: string;
  /** When the session was created. */
  creation: Timestamp;
  /** When the session was last looked up. */
  lastLookup: Timestamp;
  /** Info fields; none when absent or empty. */
  info?: SessionInfo;
}

/**
 * Writes the session JSON, keys in the reference's order `k, c, l, i`. `"i"` is left out when
 * the info's JSON is `{}` (no fields, or only `undefined` ones), as the reference leaves out
 * empty info.
 *
 * @example
 * ```ts
 * import { formatSessionJson } from "./session_json.ts";
 * import { Timestamp } from "./timestamp.ts";
 * const t = new Timestamp(0);
 * console.assert(
 *   formatSessionJson({ key: "k", creation: t, lastLookup: t, info: {} }) ===
 *     '{"k":"k","c":"1970-01-01T00:00:00Z","l":"1970-01-01T00:00:00Z"}',
 * );
 * ```
 *
 * @throws {TypeError} when the info cannot be written as a JSON object (a `BigInt`, a cycle, a
 * `toJSON` that gives no object).
 */
export function formatSessionJson(session: SessionData): string {
  const wire = JSON.stringify({
    k: session.key,
    c: session.creation.toString(),
    l: session.lastLookup.toString(),
  });
  if (session.info === undefined) return wire;
  const info: string | undefined = JSON.stringify(session.info);
  if (info === undefined || info[0] !== "{") {
    throw new TypeError(`session info must be written as a JSON object, got ${info}`);
  }
  return info === "{}" ? wire : `${wire.slice(0, -1)},"i":${info}}`;
}

/**
 * Reads session JSON (text or UTF-8 bytes).
 *
 * `"i"` that is `null` or `{}` gives no info.
 *
 * @throws {SyntaxError} when it is not JSON of that shape, or its key is not printable ASCII
 * (bytes 32 to 126: what a restore-session message may carry, as our writer allows).
 * @example
 * ```ts
 * import { parseSessionJson } from "./session_json.ts";
 * const s = parseSessionJson('{"k":"x","c":"2020-01-01T00:00:00Z","l":"2020-01-01T00:00:00Z"}');
 * console.assert(s.key === "x" && s.info === undefined);
 * ```
 */
export function parseSessionJson(json: string | Uint8Array): SessionData {
  const text = typeof json === "string" ? json : new TextDecoder().decode(json);
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError("session JSON must be an object");
  }
  const { k, c, l, i } = value as Record<string, unknown>;
  if (typeof k !== "string" || k.length === 0) {
    throw new SyntaxError(`session JSON needs a non-empty string "k", got ${JSON.stringify(k)}`);
  }
  // A key that a restore-session message cannot carry would be lost at the next reconnect. The
  // key, a secret, stays out of the message.
  const unsendable = k.search(/[^\x20-\x7e]/);
  if (unsendable !== -1) {
    throw new SyntaxError(
      `session JSON "k" must be printable ASCII, as restore-session carries it: code ` +
        `${k.charCodeAt(unsendable)} at index ${unsendable}`,
    );
  }
  if (typeof c !== "string" || typeof l !== "string") {
    throw new SyntaxError('session JSON needs RFC 3339 strings "c" and "l"');
  }
  const session: SessionData = {
    key: k,
    creation: Timestamp.parse(c),
    lastLookup: Timestamp.parse(l),
  };
  if (i !== undefined && i !== null) {
    if (typeof i !== "object" || Array.isArray(i)) {
      throw new SyntaxError('session JSON "i" must be an object');
    }
    // Empty info is none, as the session-created message of the same session would carry it.
    if (Object.keys(i).length > 0) session.info = i as SessionInfo;
  }
  return session;
}
