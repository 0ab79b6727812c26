/**
 * The contents of a session file, in the format of the reference server's default session
 * manager: `{"c": creation, "l": lastLookup, "i": info}`, times in RFC 3339 with nanoseconds,
 * `"i"` is `null` without info. Files written by either server are read by the other.
 *
 * @example
 * ```ts
 * import { formatSessionFile, parseSessionFile } from "./session_file_format.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const now = Timestamp.now();
 * const text = formatSessionFile({ creation: now, lastLookup: now, info: { user: "ada" } });
 * const read = parseSessionFile(text, "/srv/sessions/abc.wwrsess");
 * console.assert(read.info?.user === "ada" && read.creation.toString() === now.toString());
 * ```
 * @module
 */

import type { SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";

/**
 * What a session file holds.
 *
 * @example
 * ```ts
 * import type { SessionFile } from "./session_file_format.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const file: SessionFile = { creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * console.assert(file.info === undefined);
 * ```
 */
export interface SessionFile {
  /** When the session was created. */
  creation: Timestamp;
  /** When the session was last looked up (restored). */
  lastLookup: Timestamp;
  /** The session's info; absent when it has none. */
  info?: SessionInfo;
}

/**
 * The text of a session file.
 *
 * @example
 * ```ts
 * import { formatSessionFile } from "./session_file_format.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const at = Timestamp.parse("2024-05-01T12:00:00.000000001Z");
 * const text = formatSessionFile({ creation: at, lastLookup: at });
 * console.assert(JSON.parse(text).i === null && JSON.parse(text).c === at.toString());
 * ```
 */
export function formatSessionFile(session: SessionFile): string {
  return JSON.stringify({
    c: session.creation.toString(),
    l: session.lastLookup.toString(),
    i: session.info ?? null,
  });
}

/**
 * Reads the text of the session file at `path` (named in the error).
 *
 * @throws {CorruptSessionFileError} when the text is not a session file.
 * @example
 * ```ts
 * import { parseSessionFile } from "./session_file_format.ts";
 * import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
 * const at = "2024-05-01T12:00:00.000000001Z";
 * const file = parseSessionFile(JSON.stringify({ c: at, l: at, i: null }), "/x.wwrsess");
 * console.assert(file.info === undefined);
 * try {
 *   parseSessionFile("{", "/x.wwrsess");
 * } catch (error) {
 *   console.assert(error instanceof CorruptSessionFileError);
 * }
 * ```
 */
export function parseSessionFile(text: string, path: string): SessionFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptSessionFileError(path, "not JSON", { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CorruptSessionFileError(path, "not a JSON object");
  }
  const { c, l, i } = value as Record<string, unknown>;
  if (typeof c !== "string" || typeof l !== "string") {
    throw new CorruptSessionFileError(path, 'needs RFC 3339 strings "c" and "l"');
  }
  let file: SessionFile;
  try {
    file = { creation: Timestamp.parse(c), lastLookup: Timestamp.parse(l) };
  } catch (error) {
    throw new CorruptSessionFileError(path, 'needs RFC 3339 strings "c" and "l"', {
      cause: error,
    });
  }
  if (i !== undefined && i !== null) {
    if (typeof i !== "object" || Array.isArray(i)) {
      throw new CorruptSessionFileError(path, '"i" must be an object or null');
    }
    file.info = i as SessionInfo;
  }
  return file;
}
