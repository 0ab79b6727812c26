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

import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { formatSessionJson, type SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import type { Session } from "../session/session_manager.ts";
import { SessionTooLargeError } from "./errors.ts";

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
 * @throws {TypeError} when `info` cannot be written as a JSON object (a `BigInt`, a cycle),
 * or when `key` (from the session key generator) is empty or not printable ASCII: a client
 * could not send it back in a restore (ours refuses such a session).
 */
export function newSession(
  key: string,
  info: SessionInfo | undefined,
): { session: Session; json: string } {
  if (!/^[\x20-\x7e]+$/.test(key)) {
    throw new TypeError(
      "the session key generator made a key that is empty or not printable ASCII, which a " +
        "client cannot send back to restore the session",
    );
  }
  const now = creationNow();
  const session: Session = { key, creation: now, lastLookup: now };
  const bare = formatSessionJson(session);
  if (info === undefined) return { session, json: bare };
  const json = formatSessionJson({ ...session, info });
  // The same text: the info was left out as empty.
  return json === bare ? { session, json } : { session: { ...session, info }, json };
}

/**
 * The sub-millisecond nanoseconds of the next creation time: counted on from a random start, so
 * that sessions this process creates within one millisecond have distinct creation times (and
 * those of two processes do, but for a chance in a million). A key generator that repeats keys
 * can have two creates of one key at once: `onSessionUnused` tells their sessions apart by
 * creation time (it must not forget the other one).
 */
let subMillisecond = Math.floor(Math.random() * 1_000_000);

/** Now, with the sub-millisecond part of {@link subMillisecond}. */
function creationNow(): Timestamp {
  const now = Timestamp.now(); // whole milliseconds
  subMillisecond = (subMillisecond + 1) % 1_000_000;
  return new Timestamp(now.epochSeconds, now.nanoseconds + subMillisecond);
}

/**
 * The session-created message announcing `json`, if it can be sent: a message that alone
 * counts more than the server's `maxSendBuffer` would close the connection as a slow reader,
 * and so would every restore reply of the session, which carries the same JSON after an id (the
 * size that counts is the reply's).
 *
 * @example
 * ```ts
 * import { newSession, sessionCreatedWithin } from "./new_session.ts";
 * const { json } = newSession("key", { avatar: "x".repeat(10_000) });
 * const limits = { maxSendBuffer: 8192, sendCost: (length: number) => length + 16 };
 * try {
 *   sessionCreatedWithin(json, limits);
 * } catch (error) {
 *   console.assert((error as Error).name === "SessionTooLargeError");
 * }
 * ```
 *
 * @throws {SessionTooLargeError} when the message counts more than `limits.maxSendBuffer`.
 */
export function sessionCreatedWithin(
  json: string,
  limits: { readonly maxSendBuffer: number; sendCost(length: number): number },
): Uint8Array {
  const created = encodeSessionCreated(json);
  // Counted as the longer of the two messages that carry the JSON: a restore's reply has an
  // 8-byte id besides, and its last-lookup time may be written longer (fractions of a second,
  // an offset: up to 32 bytes more in a file Go wrote).
  const size = limits.sendCost(created.length + 8 + 32);
  if (size > limits.maxSendBuffer) throw new SessionTooLargeError(size, limits.maxSendBuffer);
  return created;
}
