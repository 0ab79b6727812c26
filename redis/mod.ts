/**
 * Redis for WebWire servers that scale out: a session manager that every server process
 * sharing one Redis uses, so a client restores its session on whichever process it reaches.
 * Built on [ioredis](https://www.npmjs.com/package/ioredis) (why: see
 * {@link RedisSessionManager}); applications that do not scale out never load it.
 *
 * Needs Redis 7 or later (or Valkey). Every call settles within a time limit and rejects with
 * {@link RedisUnavailableError} while Redis is down; the server answers restores and session
 * creation with an internal error then, and goes on as Redis comes back.
 *
 * @example
 * ```ts
 * import { RedisSessionManager } from "./mod.ts";
 * // import { Server } from "@webwire/webwire/server";
 * // const server = new Server({ sessionManager: sessions, onRequest });
 * const sessions = new RedisSessionManager("redis://127.0.0.1:6379", { keyPrefix: "chat:" });
 * console.assert(sessions.keyPrefix === "chat:" && sessions.commandTimeout === 2000);
 * await sessions.close();
 * ```
 * @module
 */

export { RedisSessionManager, type RedisSessionManagerOptions } from "./redis_session_manager.ts";
export { CorruptRedisSessionError, RedisUnavailableError } from "./errors.ts";
export { callRedis } from "./redis_call.ts";
export type { RedisClient } from "./redis_client.ts";
export { RedisScript } from "./redis_script.ts";
export { RedisCluster, type RedisClusterOptions } from "./redis_cluster.ts";
