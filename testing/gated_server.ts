/**
 * One server over a {@link GatedManager} (memory underneath) with the conformance service, and
 * clients logged in to it: for tests of session operations racing each other on one server.
 *
 * @example
 * ```ts
 * import { loggedInClient, startGatedServer } from "./gated_server.ts";
 * const { running, memory } = await startGatedServer();
 * const client = await loggedInClient(running.url);
 * console.assert((await memory.onSessionLookup(client.session!.key)) !== null);
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import { Client } from "../client/client.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { GatedManager } from "./gated_session_manager.ts";
import { type StartedServer, startServer } from "./serve.ts";
import { until } from "./until.ts";

/**
 * A running server, its gated session manager and the memory manager underneath.
 *
 * @example
 * ```ts
 * import type { GatedServer } from "./gated_server.ts";
 * const stored = (server: GatedServer, key: string) => server.memory.onSessionLookup(key);
 * ```
 */
export interface GatedServer {
  /** The server, served on 127.0.0.1. */
  readonly running: StartedServer;
  /** What the server stores sessions in, underneath the gates. */
  readonly memory: MemorySessionManager;
  /** The server's session manager: can hold a lookup, a forget or a release notice. */
  readonly manager: GatedManager;
}

/**
 * Starts a server with the conformance service (`login` creates a session) over a gated
 * memory session manager; it logs nothing.
 *
 * @example
 * ```ts
 * import { startGatedServer } from "./gated_server.ts";
 * const { running, manager } = await startGatedServer();
 * manager.holdLookupOf = "some key"; // its next lookup waits for manager.lookupGate
 * manager.lookupGate.open();
 * await running.close();
 * ```
 */
export async function startGatedServer(): Promise<GatedServer> {
  const memory = new MemorySessionManager();
  const manager = new GatedManager(memory);
  const running = await startServer({
    sessionManager: manager,
    logger: silentLogger,
    ...conformanceService(),
  });
  return { running, memory, manager };
}

/**
 * A client connected to `url` that logged in as `user` and holds the session it got.
 *
 * @example
 * ```ts
 * import { loggedInClient, startGatedServer } from "./gated_server.ts";
 * const { running } = await startGatedServer();
 * const bob = await loggedInClient(running.url, "bob");
 * console.assert(running.server.sessionConnections(bob.session!.key).length === 1);
 * await bob.close();
 * await running.close();
 * ```
 */
export async function loggedInClient(url: string, user = "ada"): Promise<Client> {
  const client = new Client(url, { logger: silentLogger, autoconnect: false });
  await client.connect();
  await client.request("login", user);
  await until(() => client.session !== null, `${user} logged in`);
  return client;
}
