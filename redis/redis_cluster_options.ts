/**
 * The options of a `RedisCluster`.
 *
 * @example
 * ```ts
 * import type { RedisClusterOptions } from "./redis_cluster_options.ts";
 * const options: RedisClusterOptions = { keyPrefix: "chat:" };
 * console.assert(options.keyPrefix === "chat:");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";

/**
 * Options of a `RedisCluster`.
 *
 * @example
 * ```ts
 * import type { RedisClusterOptions } from "./redis_cluster_options.ts";
 * const options: RedisClusterOptions = { nodeTtl: 5000, offlineSignals: { maxCount: 64 } };
 * console.assert(options.nodeTtl === 5000);
 * ```
 */
export interface RedisClusterOptions {
  /** Prefix of every Redis key and of the channel; default `webwire:`. Nodes share it. */
  keyPrefix?: string;
  /** Milliseconds within which every Redis call settles; default 2000. */
  commandTimeout?: number;
  /**
   * Milliseconds a node counts as alive after its last heartbeat (sent every third of it);
   * default 10 000. The session slots of a node that died without leaving are free again
   * within this time.
   */
  nodeTtl?: number;
  /**
   * Bounds of the signals kept for a session that no node holds: `maxCount` (default 256)
   * and `maxAge` in ms (default 300 000, counted from the newest signal for the whole list and
   * checked per signal when taken); `false` keeps none.
   */
  offlineSignals?: { maxCount?: number; maxAge?: number } | false;
  /**
   * Pushes made in one synchronous run of code (before the next microtask) that go to Redis
   * as one command, at most (and about 1 MiB at most); default 256. `1` sends each push on
   * its own, as versions before batches did: use it during a rolling upgrade from such a
   * version (its nodes ignore batches), then remove it.
   */
  batchSize?: number;
  /**
   * This node's id (printable ASCII, at most 64 characters); default 16 random hex digits. A
   * fixed id names the node in Redis's keys; each process adds a random suffix of its own, so
   * that a process restarted with the id of one that died does not take over its slots.
   */
  nodeId?: string;
  /** Where connection trouble is reported, once per outage; default `console`. */
  logger?: Logger;
}
