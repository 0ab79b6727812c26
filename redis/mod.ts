/**
 * Redis for WebWire servers that scale out: a session manager that every server process
 * sharing one Redis uses, so a client restores its session on whichever process it reaches.
 * Built on [ioredis](https://www.npmjs.com/package/ioredis); applications that do not scale
 * out never load it. Pass an ioredis `Redis` instance of your own, or a `redis://` URL.
 *
 * **Why ioredis** rather than node-redis: it is one package of plain JavaScript (no native
 * parts) whose tests here pass unchanged under Deno (`npm:ioredis`), Bun and Node 20; a client
 * connects by itself, reconnects with a backoff and resubscribes its pub/sub channels after a
 * reconnect without being asked (what a cluster layer needs when Redis restarts);
 * `duplicate()` gives the subscriber connection with the same options; `eval` takes keys and
 * arguments as they are, which {@link RedisScript} builds on. node-redis (v4 and later) is split
 * into several packages, rejects every command until an explicit `connect()` resolves and leaves
 * reconnecting and resubscribing to options of its own: more for a library to get right when the
 * application hands it a client.
 *
 * Needs Redis 7 or later (or Valkey). Every call settles within a time limit and rejects with
 * {@link RedisUnavailableError} while Redis is down; the server answers restores and session
 * creation with an internal error then, and goes on as Redis comes back.
 *
 * @example
 * ```ts
 * import { RedisSessionManager } from "./mod.ts";
 * import { Server } from "../server.ts";
 * // Every server process of the app gets the same Redis and key prefix.
 * const sessions = new RedisSessionManager("redis://127.0.0.1:6379", { keyPrefix: "chat:" });
 * const server = new Server({
 *   sessionManager: sessions,
 *   onRequest: async ({ name, payload, connection }) => {
 *     if (name === "login") await connection.createSession({ user: payload.text() });
 *     return "ok";
 *   },
 * });
 * console.assert(server.activeSessionsCount === 0);
 * await sessions.close(); // after the server's shutdown
 * ```
 * @module
 */

export { RedisSessionManager, type RedisSessionManagerOptions } from "./redis_session_manager.ts";
export { CorruptRedisSessionError, RedisUnavailableError } from "./errors.ts";
export { callRedis } from "./redis_call.ts";
export type { RedisClient } from "./redis_client.ts";
export { RedisScript } from "./redis_script.ts";
export { RedisCluster, type RedisClusterOptions } from "./redis_cluster.ts";
