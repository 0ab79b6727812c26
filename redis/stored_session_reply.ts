/**
 * Reads the reply of the session manager's lookup script: a session's creation, last lookup
 * and info, as stored in Redis (untrusted: anything may have written the key).
 *
 * @example
 * ```ts
 * import { parseStoredSession } from "./stored_session_reply.ts";
 * const t = "2020-01-01T00:00:00.000000001Z";
 * const found = parseStoredSession("webwire:session:k", [t, t, '{"user":"ada"}']);
 * console.assert(found.info?.user === "ada");
 * ```
 * @module
 */

import type { SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import type { SessionLookupResult } from "../session/session_manager.ts";
import { CorruptRedisSessionError } from "./errors.ts";

/**
 * The session in a lookup script's reply `{c, l, i}` for the Redis key `redisKey`.
 *
 * @throws {CorruptRedisSessionError} when the key holds no session of this library's form.
 * @example
 * ```ts
 * import { parseStoredSession } from "./stored_session_reply.ts";
 * const t = "2020-01-01T00:00:00.000000001Z";
 * console.assert(!("info" in parseStoredSession("webwire:session:k", [t, t, null])));
 * ```
 */
export function parseStoredSession(redisKey: string, reply: unknown): SessionLookupResult {
  if (!Array.isArray(reply) || reply.length !== 3) {
    throw new CorruptRedisSessionError(redisKey, "unexpected script reply");
  }
  const [c, l, i] = reply as unknown[];
  if (typeof c !== "string" || typeof l !== "string") {
    throw new CorruptRedisSessionError(redisKey, 'needs RFC 3339 strings "c" and "l"');
  }
  let creation: Timestamp;
  let lastLookup: Timestamp;
  try {
    creation = Timestamp.parse(c);
    lastLookup = Timestamp.parse(l);
  } catch (error) {
    throw new CorruptRedisSessionError(redisKey, 'needs RFC 3339 strings "c" and "l"', {
      cause: error,
    });
  }
  if (i === null || i === undefined) return { creation, lastLookup };
  let info: unknown;
  try {
    info = typeof i === "string" ? JSON.parse(i) : undefined;
  } catch (error) {
    throw new CorruptRedisSessionError(redisKey, '"i" is not JSON', { cause: error });
  }
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    throw new CorruptRedisSessionError(redisKey, '"i" is not a JSON object');
  }
  return { creation, lastLookup, info: info as SessionInfo };
}
