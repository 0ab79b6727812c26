/**
 * A session stored as a page that reloads would have it: a first client logs in (the server's
 * `login` request creates the session), and its session storage is handed to the next one.
 *
 * @example
 * ```ts
 * import { storedSession } from "./stored_session.ts";
 * import { startServer } from "./serve.ts";
 * import { Client } from "../client/client.ts";
 * const running = await startServer({
 *   onRequest: async (request) => void await request.connection.createSession(),
 * });
 * const sessionStorage = await storedSession(running);
 * const client = new Client(running.url, { sessionStorage });
 * await client.connect(); // restores the stored session
 * console.assert(client.session !== null);
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import { Client } from "../client/client.ts";
import { memorySessionStorage, type SessionStorage } from "../client/session_storage.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { StartedServer } from "./serve.ts";
import { until } from "./until.ts";

/**
 * Stores the key of a session that `login` created on `running`, as a page that reloads would
 * have it.
 *
 * @example
 * ```ts
 * import { storedSession } from "./stored_session.ts";
 * import { startServer } from "./serve.ts";
 * const running = await startServer({
 *   onRequest: async (request) => void await request.connection.createSession(),
 * });
 * console.assert((await storedSession(running)).get() !== null);
 * await running.close();
 * ```
 */
export async function storedSession(running: StartedServer): Promise<SessionStorage> {
  const storage = memorySessionStorage();
  const first = new Client(running.url, { logger: silentLogger, sessionStorage: storage });
  await first.request("login");
  await until(() => storage.get() !== null, "the session key stored");
  await first.close();
  return storage;
}
