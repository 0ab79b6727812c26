/**
 * Logging in and restoring sessions over a {@link RawClient}, for server tests that look at the
 * wire: the server under test answers a `login` request by creating a session.
 *
 * @example
 * ```ts
 * import { rawLogin, rawRestore } from "./raw_session.ts";
 * console.assert(typeof rawLogin === "function" && typeof rawRestore === "function");
 * ```
 * @module
 */

import assert from "node:assert/strict";
import { encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { parseSessionJson, type SessionData } from "../protocol/session_json.ts";
import type { RawClient } from "./raw_client.ts";

let nextId = 1_000_000;

/**
 * Sends `login` with the user as its payload; expects session-created, then the reply.
 *
 * @example
 * ```ts
 * import { rawLogin } from "./raw_session.ts";
 * import type { RawClient } from "./raw_client.ts";
 * const keyOf = async (client: RawClient) => (await rawLogin(client, "ada")).key;
 * console.assert(typeof keyOf === "function");
 * ```
 */
export async function rawLogin(client: RawClient, user: string): Promise<SessionData> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name: "login", payload: user }));
  const created = await client.next();
  assert.ok(created.kind === "session-created", `expected session-created, got ${created.kind}`);
  assert.equal((await client.next()).kind, "reply");
  return parseSessionJson(created.json);
}

/**
 * Sends a restore-session request; resolves to the kind of the answer (`reply`,
 * `session-not-found-reply`, ...).
 *
 * @example
 * ```ts
 * import { rawRestore } from "./raw_session.ts";
 * console.assert(rawRestore.length === 2);
 * ```
 */
export async function rawRestore(client: RawClient, key: string): Promise<string> {
  client.send(encodeRestoreSession(requestIdFromNumber(nextId++), key));
  return (await client.next()).kind;
}
