/**
 * The WebWire v2 server: a portable core plus thin runtime adapters (`./adapters/deno.ts`,
 * `./adapters/bun.ts`, `./adapters/hono.ts`, `./adapters/node.ts`).
 *
 * @example
 * ```ts
 * import { RequestError, Server } from "@webwire/webwire/server";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 *
 * const server = new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: async (request) => {
 *     switch (request.name) {
 *       case "login":
 *         await request.connection.createSession({ user: request.payload.text() });
 *         return "ok";
 *       case "echo":
 *         return request.payload; // replied in the encoding it came in
 *       default:
 *         throw new RequestError("UNKNOWN", `no request named ${request.name}`);
 *     }
 *   },
 * });
 * // With Deno: serveDeno(server, { port: 8080 }) from "./adapters/deno.ts".
 * await server.shutdown();
 * ```
 * @module
 */

export * from "./server/server.ts";
export * from "./server/connection.ts";
export * from "./server/options.ts";
export * from "./server/incoming.ts";
export * from "./server/transport.ts";
export * from "./server/close_codes.ts";
export * from "./server/disconnect_reason.ts";
export * from "./server/errors.ts";
export { SessionKeyTakenError } from "./session/session_key_taken_error.ts";
export * from "./server/signal_options.ts";
export * from "./server/cluster.ts";
export type { OfflineDropReason, OfflineSignalLimits } from "./server/offline_signals.ts";
export { checkTopicName, maxTopicNameLength } from "./server/topic_name.ts";
export { Payload } from "./protocol/payload.ts";
export { RequestError } from "./protocol/request_error.ts";
export type { PayloadEncoding } from "./protocol/message_type.ts";
export type { Logger } from "./protocol/logger.ts";
export type { SessionInfo } from "./protocol/session_json.ts";
export type {
  Session,
  SessionExpiry,
  SessionKeyGenerator,
  SessionLookupResult,
  SessionManager,
} from "./session/session_manager.ts";
export type { TraceOptions, TraceSetting } from "./protocol/trace.ts";
