/**
 * The session a handler's `createSession` makes and the session JSON announcing it, made before
 * anything is stored: info that cannot be JSON is refused while nothing needs undoing. Internal
 * to the server core.
 *
 * @example
 * ```ts
 * import { newSession } from "./new_session.ts";
 * const { session, json } = newSession("key", { user: "ada" });
 * console.assert(session.info?.user === "ada" && JSON.parse(json).i.user === "ada");
 * ```
 * @module
 */

import { formatSessionJson, type SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import type { Session } from "../session/session_manager.ts";

/**
 * A session created now with `key` and `info`, and its session JSON. Info whose JSON is `{}`
 * (no fields, or only `undefined` ones) counts as none, as the client reads it.
 *
 * @example
 * ```ts
 * import { newSession } from "./new_session.ts";
 * const { session } = newSession("key", { gone: undefined } as never);
 * console.assert(session.info === undefined);
 * try {
 *   newSession("key", { n: 1n } as never);
 * } catch (error) {
 *   console.assert(error instanceof TypeError);
 * }
 * ```
 *
 * @throws {TypeError} when `info` cannot be written as a JSON object (a `BigInt`, a cycle).
 */
export function newSession(
  key: string,
  info: SessionInfo | undefined,
): { session: Session; json: string } {
  const now = Timestamp.now();
  const session: Session = { key, creation: now, lastLookup: now };
  const bare = formatSessionJson(session);
  if (info === undefined) return { session, json: bare };
  const json = formatSessionJson({ ...session, info });
  // The same text: the info was left out as empty.
  return json === bare ? { session, json } : { session: { ...session, info }, json };
}
