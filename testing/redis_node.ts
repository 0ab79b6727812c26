/**
 * A server that is a node of a Redis cluster, for tests of how nodes ride out faults: its
 * cluster link reaches Redis through a URL of the test's choosing (a proxy that can cut it),
 * while its sessions go to a session manager of the test's choosing (often straight to Redis).
 *
 * @example
 * ```ts
 * import { startRedisNode } from "./redis_node.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { RedisSessionManager } from "../redis/redis_session_manager.ts";
 * import { silentLogger } from "../protocol/logger.ts";
 * const redis = await startRedisServer();
 * const sessions = new RedisSessionManager(redis.url, { logger: silentLogger });
 * const node = await startRedisNode({ clusterUrl: redis.url, sessions, nodeTtl: 3000 });
 * console.assert(node.running.server.connectionCount === 0);
 * await node.stop(); // the server, then the session manager
 * await redis.stop();
 * ```
 * @module
 */

// @ts-types="../redis/ioredis.d.ts"
import type { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import { RedisCluster } from "../redis/redis_cluster.ts";
import type { RedisSessionManager } from "../redis/redis_session_manager.ts";
import type { ServerOptions } from "../server/options.ts";
import type { Server } from "../server/server.ts";
import { clusterNodeService } from "./cluster_node.ts";
import { type StartedServer, startServer } from "./serve.ts";

/**
 * How to start a node.
 *
 * @example
 * ```ts
 * import type { RedisNodeOptions } from "./redis_node.ts";
 * type Ttl = RedisNodeOptions["nodeTtl"];
 * const ttl: Ttl = 3000;
 * console.assert(ttl === 3000);
 * ```
 */
export interface RedisNodeOptions {
  /** Where the cluster link connects (a proxy's URL, or a client). */
  readonly clusterUrl: string | Redis;
  /** The node's session manager, closed by `stop`. */
  readonly sessions: RedisSessionManager;
  /** The node's heartbeat key's lifetime (heartbeats come three times per lifetime). */
  readonly nodeTtl: number;
  /** Key prefix in Redis, the same for every node of one cluster; default `webwire:`. */
  readonly keyPrefix?: string;
  /** Server options besides the cluster and the session manager. */
  readonly server?: ServerOptions;
}

/**
 * A started node: its server and how to stop it.
 *
 * @example
 * ```ts
 * import type { RedisNode } from "./redis_node.ts";
 * const stopAll = (nodes: RedisNode[]) => Promise.all(nodes.map((node) => node.stop()));
 * console.assert(typeof stopAll === "function");
 * ```
 */
export interface RedisNode {
  /** The server, serving `clusterNodeService` (login, admin requests). */
  readonly running: StartedServer;
  /** Closes the server, then its session manager. */
  stop(): Promise<void>;
}

/**
 * Starts a node with a 300 ms command timeout, serving `clusterNodeService`, once it has
 * joined the cluster.
 *
 * @example
 * ```ts
 * import { startRedisNode } from "./redis_node.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { RedisSessionManager } from "../redis/redis_session_manager.ts";
 * import { silentLogger } from "../protocol/logger.ts";
 * const redis = await startRedisServer();
 * const node = await startRedisNode({
 *   clusterUrl: redis.url,
 *   sessions: new RedisSessionManager(redis.url, { logger: silentLogger }),
 *   nodeTtl: 3000,
 *   server: { maxSessionConnections: 1 },
 * });
 * await node.stop();
 * await redis.stop();
 * ```
 */
export async function startRedisNode(options: RedisNodeOptions): Promise<RedisNode> {
  const cluster = new RedisCluster(options.clusterUrl, {
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    nodeTtl: options.nodeTtl,
    commandTimeout: 300,
    logger: silentLogger,
  });
  const holder: { server?: Server } = {};
  const running = await startServer({
    logger: silentLogger,
    ...options.server,
    sessionManager: options.sessions,
    cluster,
    ...clusterNodeService(() => holder.server!, "a"),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  return {
    running,
    async stop() {
      await running.close();
      await options.sessions.close();
    },
  };
}
