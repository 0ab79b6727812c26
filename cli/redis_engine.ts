/**
 * The Redis engine of `webwire serve --redis`: a session manager and a cluster node on one
 * Redis, so that every `webwire serve` on the same Redis and key prefix is a node of one
 * cluster. `redis/` (and with it ioredis) is imported only here, and only when asked for, so
 * that the CLI never loads a Redis client otherwise.
 *
 * @example
 * ```ts
 * import { checkRedisUrl } from "./redis_engine.ts";
 * console.assert(checkRedisUrl("redis://127.0.0.1:6379") === "redis://127.0.0.1:6379");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Cluster, ClusterNode } from "../server/cluster.ts";
import type { SessionManager } from "../session/session_manager.ts";
import { printableUrl } from "../protocol/printable_url.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * Checks that `url` is a `redis:` or `rediss:` URL with a host.
 *
 * @throws {CliError} with the usage exit code otherwise.
 * @example
 * ```ts
 * import { checkRedisUrl } from "./redis_engine.ts";
 * try {
 *   checkRedisUrl("127.0.0.1:6379");
 * } catch (error) {
 *   console.assert((error as { exitCode: number }).exitCode === 2);
 * }
 * ```
 */
export function checkRedisUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === undefined || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") ||
    parsed.hostname === ""
  ) {
    throw new CliError(
      ExitCode.Usage,
      `--redis takes a redis:// or rediss:// URL with a host, got "${printableUrl(url)}"`,
    );
  }
  return url;
}

/**
 * Options of {@link openRedisEngine}.
 *
 * @example
 * ```ts
 * import type { RedisEngineOptions } from "./redis_engine.ts";
 * const options: RedisEngineOptions = { keyPrefix: "chat:", timeout: 5000 };
 * console.assert(options.keyPrefix === "chat:");
 * ```
 */
export interface RedisEngineOptions {
  /** Prefix of every Redis key and of the cluster's channel; the nodes of a cluster share it. */
  keyPrefix: string;
  /** Milliseconds to wait for Redis at the start (and for each Redis call later). */
  timeout: number;
  /** Where connection trouble is reported; default `console`. */
  logger?: Logger;
  /**
   * Stops waiting for Redis at the start when aborted (a Ctrl-C, SIGTERM or SIGHUP
   * meanwhile): the connection is closed and {@link openRedisEngine} rejects with the signal's
   * reason.
   */
  abort?: AbortSignal;
}

/**
 * A session manager and a cluster node on one Redis, for a server's options.
 *
 * @example
 * ```ts
 * import { Timestamp } from "@webwire/webwire/protocol";
 * import { generateSessionKey } from "@webwire/webwire/session";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { openRedisEngine, type RedisEngine } from "./redis_engine.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const options = { keyPrefix: "docs:", timeout: 2000 };
 * // Two `webwire serve --redis` nodes: a session one node stores, the other finds.
 * const a: RedisEngine = await openRedisEngine(redis.url, options);
 * const b: RedisEngine = await openRedisEngine(redis.url, options);
 * const [key, now] = [generateSessionKey(), Timestamp.now()];
 * await a.sessionManager.onSessionCreated({ key, creation: now, lastLookup: now });
 * const found = await b.sessionManager.onSessionLookup(key);
 * console.assert(a.nodeId !== b.nodeId && found?.creation.toString() === now.toString());
 * await Promise.all([a.close(), b.close()]);
 * await redis.stop();
 * ```
 */
export interface RedisEngine {
  /** Sessions in Redis, shared by the nodes. */
  readonly sessionManager: SessionManager;
  /** This node's link to the others. */
  readonly cluster: Cluster;
  /** This node's id in the cluster. */
  readonly nodeId: string;
  /** Why the server could not join the cluster, once its join failed; else `undefined`. */
  joinError(): Error | undefined;
  /** Closes the session manager's connection; call it after the server's shutdown. */
  close(): Promise<void>;
}

/**
 * Loads `redis/`, connects to the Redis at `url` and checks that it answers within
 * `options.timeout`.
 *
 * @throws {CliError} with the cannot-connect exit code (3) when Redis does not answer in time;
 * with `options.abort`'s reason when that is aborted first.
 * @example
 * ```ts
 * import { openRedisEngine } from "./redis_engine.ts";
 * // Nothing listens on port 1: the CLI reports it instead of serving without its cluster.
 * const error = await openRedisEngine("redis://127.0.0.1:1", { keyPrefix: "webwire:", timeout: 300 })
 *   .catch((error) => error);
 * console.assert(error.exitCode === 3);
 * ```
 */
export async function openRedisEngine(
  url: string,
  options: RedisEngineOptions,
): Promise<RedisEngine> {
  const { RedisCluster, RedisSessionManager, callRedis } = await import("../redis/mod.ts");
  const logger = options.logger ?? console;
  const settings = { keyPrefix: options.keyPrefix, commandTimeout: options.timeout };
  // Until Redis has answered once, the connection errors are this command's own message.
  // They are kept, though: the last one says why Redis did not answer (a wrong password: NOAUTH,
  // WRONGPASS), which a timeout alone would hide.
  let lastStartError: string | undefined;
  const quiet: Logger = {
    warn: (...args) => void (lastStartError = args.map(String).join(" ")),
    error: (...args) => void (lastStartError = args.map(String).join(" ")),
  };
  let started = false;
  const startLogger: Logger = {
    warn: (...args) => (started ? logger : quiet).warn(...args),
    error: (...args) => (started ? logger : quiet).error(...args),
  };
  const sessionManager = new RedisSessionManager(url, { ...settings, logger: startLogger });
  const client = sessionManager.client;
  // Aborted: the wait ends at once (a client waiting to reconnect to a Redis that refuses would
  // not end its call before the timeout), and the connection is closed.
  let giveUp = () => {};
  const aborted = new Promise<never>((_, reject) => {
    giveUp = () => {
      reject(options.abort?.reason);
      void sessionManager.close();
    };
  });
  aborted.catch(() => {});
  options.abort?.addEventListener("abort", giveUp, { once: true });
  try {
    options.abort?.throwIfAborted();
    const first = callRedis(
      client,
      options.timeout,
      "a first call",
      () => client.eval("return 1", 0),
    );
    first.catch(() => {});
    await Promise.race([first, aborted]);
  } catch (error) {
    await sessionManager.close();
    options.abort?.throwIfAborted();
    // "Redis session manager: connection to <url> failed: <why>": the why.
    const last = lastStartError === undefined
      ? ""
      : ` (last error: ${lastStartError.replace(/^.*? failed: /, "")})`;
    throw new CliError(
      ExitCode.Unreachable,
      `cannot reach Redis at ${printableUrl(url)} within ${options.timeout} ms: ${
        (error as Error).message
      }${last}`,
    );
  } finally {
    options.abort?.removeEventListener("abort", giveUp);
  }
  started = true;
  // A join that fails (a user without pub/sub rights: NOPERM) is kept for serve, which must not
  // serve outside the cluster it announced; the server would only log it, with a stack trace.
  let joinError: Error | undefined;
  class JoinWatchingCluster extends RedisCluster {
    override async join(node: ClusterNode): Promise<void> {
      try {
        await super.join(node);
      } catch (error) {
        joinError = error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  const cluster = new JoinWatchingCluster(url, { ...settings, logger });
  return {
    sessionManager,
    cluster,
    nodeId: cluster.nodeId,
    joinError: () => joinError,
    close: () => sessionManager.close(),
  };
}
