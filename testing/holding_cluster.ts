/**
 * A cluster link whose deliveries a test can hold: the Redis link of a gated cluster node.
 *
 * @module
 */

import type { RedisCluster } from "../redis/redis_cluster.ts";
import type { Cluster, ClusterMessage, ClusterNode } from "../server/cluster.ts";
import { gate } from "./gated_session_manager.ts";

/**
 * A node's Redis cluster link; while `held`, what the other node publishes waits until
 * {@link HoldingCluster.release}. Counts what it delivered to its server.
 *
 * @example
 * ```ts
 * import { HoldingCluster } from "./holding_cluster.ts";
 * import { RedisCluster } from "../redis/redis_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = new HoldingCluster(new RedisCluster(redis.url));
 * await cluster.join({ deliver() {}, missed() {} });
 * console.assert(cluster.waiting === 0 && cluster.delivered === 0);
 * await cluster.leave();
 * await redis.stop();
 * ```
 */
export class HoldingCluster implements Cluster {
  /** Whether cluster messages for this node's server wait. */
  held = false;
  /** How many cluster messages reached this node's server (signals it gave back included). */
  delivered = 0;
  /** How many times its server asked how many connections hold a session. */
  countQueries = 0;
  /** How many times the link told its server it may have missed messages. */
  missedCount = 0;
  /** How many publishes failed. */
  publishFailures = 0;
  /** The key whose take of kept signals waits for {@link HoldingCluster.takeGate}. */
  holdTakeOf: string | undefined;
  /** Opened when the held take starts. */
  readonly takeStarted: { opened: Promise<void>; open: () => void } = gate();
  /** The held take goes on (and takes from Redis) once this opens. */
  readonly takeGate: { opened: Promise<void>; open: () => void } = gate();
  /** Runs once, as the next release of a slot goes out to Redis (to make Redis hang then). */
  beforeRelease: (() => void) | undefined;
  /** Runs once a release of a slot has reached Redis, before its server hears of it. */
  afterRelease: ((key: string) => Promise<void>) | undefined;
  /** How many releases of a slot failed (timed out, say). */
  releaseFailures = 0;
  readonly #waiting: ClusterMessage[] = [];
  #node: ClusterNode | undefined;
  readonly #redis: RedisCluster;

  /** Wraps `redis`. */
  constructor(redis: RedisCluster) {
    this.#redis = redis;
  }

  /** Delivers what waited and stops holding. */
  release(): void {
    this.held = false;
    for (const message of this.#waiting.splice(0)) this.#deliver(message);
  }

  /** How many messages wait. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Joins through Redis, delivering (or holding) what the other node publishes. */
  join(node: ClusterNode): Promise<void> {
    this.#node = node;
    return this.#redis.join({
      deliver: (message) => {
        if (this.held) this.#waiting.push(message);
        else this.#deliver(message);
      },
      missed: () => {
        this.missedCount++;
        node.missed?.();
      },
      released: (key) => node.released?.(key) ?? true,
      held: (key) => node.held?.(key),
    });
  }

  /** Publishes through Redis. */
  async publish(message: ClusterMessage): Promise<void> {
    try {
      await this.#redis.publish(message);
    } catch (error) {
      this.publishFailures++;
      throw error;
    }
  }

  /** Takes a session slot in Redis. */
  acquireSession(key: string, max: number): Promise<boolean> {
    return this.#redis.acquireSession(key, max);
  }

  /** Gives a session slot back in Redis; resolves to the connections left on every node. */
  releaseSession(key: string): Promise<number> {
    return this.#released(key, () => this.#redis.releaseSession(key));
  }

  /** Gives a session slot back in Redis, keeping `held` if nobody holds the session after it. */
  releaseSessionKeeping(key: string, held: readonly Uint8Array[]): Promise<number> {
    return this.#released(key, () => this.#redis.releaseSessionKeeping(key, held));
  }

  /** Gives a session slot back in Redis with what a restore did not write, in one step. */
  releaseSessionReturning(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): Promise<number> {
    return this.#released(key, () => this.#redis.releaseSessionReturning(key, taken, held));
  }

  /** Runs a release of `key`'s slot between the hooks, counting its failure. */
  async #released(key: string, release: () => Promise<number>): Promise<number> {
    const before = this.beforeRelease;
    this.beforeRelease = undefined;
    before?.();
    let left: number;
    try {
      left = await release();
    } catch (error) {
      this.releaseFailures++;
      throw error;
    }
    await this.afterRelease?.(key);
    return left;
  }

  /** Takes the signals Redis kept for the session, held as configured. */
  async takeOfflineSignals(key: string): Promise<Uint8Array[]> {
    if (key === this.holdTakeOf) {
      this.takeStarted.open();
      await this.takeGate.opened;
    }
    return await this.#redis.takeOfflineSignals(key);
  }

  /** The session manager heard of a release (or the session is gone): Redis drops its record. */
  sessionReleased(key: string): Promise<void> {
    return this.#redis.sessionReleased(key);
  }

  /** Gives back signals `taken` but not delivered (and those `held` meanwhile), in Redis. */
  returnUndeliveredSignals(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): Promise<void> {
    return this.#redis.returnUndeliveredSignals(key, taken, held);
  }

  /** How many connections hold the session on every node. */
  sessionConnectionCount(key: string): Promise<number> {
    this.countQueries++;
    return this.#redis.sessionConnectionCount(key);
  }

  /** Leaves the cluster. */
  leave(): Promise<void> {
    return this.#redis.leave();
  }

  #deliver(message: ClusterMessage): void {
    this.#node?.deliver(message);
    this.delivered++;
  }
}
