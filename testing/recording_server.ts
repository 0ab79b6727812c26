/**
 * A WebWire server for adapter and server tests that records why each client disconnected,
 * logs nothing and keeps sessions in memory; the test serves it with the adapter under test.
 *
 * @example
 * ```ts
 * import { recordingServer } from "./recording_server.ts";
 * const { server, disconnects } = recordingServer();
 * console.assert(server.connectionCount === 0 && disconnects.length === 0);
 * await server.shutdown();
 * ```
 * @module
 */

import { silentLogger } from "../protocol/logger.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";

/**
 * A server and the disconnect reasons it reported so far, oldest first.
 *
 * @example
 * ```ts
 * import { type RecordingServer, recordingServer } from "./recording_server.ts";
 * import { RawClient } from "./raw_client.ts";
 * import { serveDeno } from "../adapters/deno.ts";
 * const { server, disconnects }: RecordingServer = recordingServer();
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const client = await RawClient.handshake(running.url);
 * client.send("a text frame"); // a protocol violation: the server closes
 * await client.closed;
 * await running.close();
 * console.assert(disconnects.length === 1 && disconnects[0].kind === "protocol-violation");
 * ```
 */
export interface RecordingServer {
  /** The server. */
  server: Server;
  /** Every `onClientDisconnected` reason, in order. */
  disconnects: DisconnectReason[];
}

/**
 * Creates the server; `options` override the silent logger, the memory session manager and
 * the disconnect recording.
 *
 * @example
 * ```ts
 * import { recordingServer } from "./recording_server.ts";
 * const { server } = recordingServer({ readTimeout: 5000 });
 * await server.shutdown();
 * ```
 */
export function recordingServer(options: ServerOptions = {}): RecordingServer {
  const disconnects: DisconnectReason[] = [];
  const server = new Server({
    logger: silentLogger,
    sessionManager: new MemorySessionManager(),
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    ...options,
  });
  return { server, disconnects };
}
