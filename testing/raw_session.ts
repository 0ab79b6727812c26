/**
 * Logging in and restoring sessions over a {@link RawClient}, for server tests that look at the
 * wire: the server under test answers a `login` request by creating a session.
 *
 * @example
 * ```ts
 * import { rawLogin, rawRestore } from "./raw_session.ts";
 * import { RawClient } from "./raw_client.ts";
 * import { testRequestHandler } from "./client_support.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer({ onRequest: testRequestHandler });
 * const first = await RawClient.connect(running.url);
 * await first.next(); // accept-conf
 * const session = await rawLogin(first, "ada");
 * await first.close();
 * const second = await RawClient.connect(running.url);
 * await second.next();
 * console.assert(await rawRestore(second, session.key) === "reply");
 * await second.close();
 * await running.close();
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
 * import { RawClient } from "./raw_client.ts";
 * import { testRequestHandler } from "./client_support.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer({ onRequest: testRequestHandler });
 * const client = await RawClient.connect(running.url);
 * await client.next(); // accept-conf
 * const session = await rawLogin(client, "ada");
 * console.assert(session.info?.user === "ada" && session.key.length > 0);
 * await client.close();
 * await running.close();
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
 * import { RawClient } from "./raw_client.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer();
 * const client = await RawClient.connect(running.url);
 * await client.next(); // accept-conf
 * console.assert(await rawRestore(client, "no-such-key") === "session-not-found-reply");
 * await client.close();
 * await running.close();
 * ```
 */
export async function rawRestore(client: RawClient, key: string): Promise<string> {
  client.send(encodeRestoreSession(requestIdFromNumber(nextId++), key));
  return (await client.next()).kind;
}
