/**
 * A cluster node's pub/sub connection: subscribed to the cluster's channel, subscribed again
 * after every reconnect, and checked for life. A pub/sub connection only receives, so a link
 * that stops answering while TCP stays up (a partition, a hung Redis) would go unnoticed, and
 * what Redis sent meanwhile would arrive late when it recovers: {@link ClusterSubscriber.check}
 * pings it with a deadline, and one that misses it is reset (`callRedis`), so the node
 * reconnects, subscribes again and catches up (`missed`) instead. Internal to `RedisCluster`.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClusterSubscriber } from "./cluster_subscriber.ts";
 * const client = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
 * const subscriber = new ClusterSubscriber(client, "chat:cluster", 2000);
 * subscriber.close(); // never subscribed: closes the connection it made
 * client.disconnect();
 * ```
 * @module
 */

import type { Buffer } from "node:buffer";
// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import type { Redis } from "ioredis";
import { callRedis, ownedByLibrary } from "./redis_call.ts";

/**
 * What a {@link ClusterSubscriber} hands on: each message's bytes, and each time the
 * connection is subscribed again after the first subscription was decided.
 *
 * @example
 * ```ts
 * import type { SubscriberEvents } from "./cluster_subscriber.ts";
 * const events: SubscriberEvents = { message: (bytes) => console.log(bytes.length), missed() {} };
 * events.message(new Uint8Array(3));
 * ```
 */
export interface SubscriberEvents {
  /** A message on the channel. */
  message(bytes: Uint8Array): void;
  /** The connection is subscribed again after a cut: messages sent meanwhile are lost. */
  missed(): void;
}

/**
 * The pub/sub connection of a node, a `duplicate()` of its command client.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { ClusterSubscriber } from "./cluster_subscriber.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const client = new Redis(redis.url);
 * const subscriber = new ClusterSubscriber(client, "chat:cluster", 2000);
 * const received: string[] = [];
 * await subscriber.subscribe({
 *   message: (bytes) => received.push(new TextDecoder().decode(bytes)),
 *   missed() {},
 * });
 * await client.publish("chat:cluster", "hello");
 * await subscriber.check(); // a ping: answered after the message
 * console.assert(received[0] === "hello");
 * subscriber.close();
 * await client.quit();
 * await redis.stop();
 * ```
 */
export class ClusterSubscriber {
  /** The connection (lazy until {@link ClusterSubscriber.subscribe}). */
  readonly connection: Redis;
  readonly #channel: string;
  readonly #timeout: number;

  /** A pub/sub connection made from `client` for `channel`; calls settle within `timeout` ms. */
  constructor(client: Redis, channel: string, timeout: number) {
    this.connection = ownedByLibrary(client.duplicate({ lazyConnect: true }));
    this.#channel = channel;
    this.#timeout = timeout;
  }

  /**
   * Subscribes, and from then on hands messages to `events`; after every reconnect the
   * connection subscribes again, and calls `events.missed` when this first subscription had
   * been decided by then.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (the connection keeps
   *   trying and subscribes when it connects).
   */
  async subscribe(events: SubscriberEvents): Promise<void> {
    const connection = this.connection;
    connection.on("messageBuffer", (_channel: Buffer, bytes: Buffer) => {
      events.message(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    // ioredis subscribes again after a reconnect; this covers a first connection that failed.
    // Subscribed after the join was decided (a cut, or a join that failed), the node checks
    // what it may have missed.
    let decided = false;
    connection.on("ready", () => {
      const late = decided;
      connection.subscribe(this.#channel).then(() => {
        if (late) events.missed();
      }, () => {});
    });
    try {
      await callRedis(
        connection,
        this.#timeout,
        "cluster subscribe",
        () => connection.subscribe(this.#channel),
      );
    } finally {
      decided = true;
    }
  }

  /**
   * Pings a ready connection: one that does not answer within the time limit is reset and
   * reconnects. Resolves either way; a connection that is not ready is left to reconnect.
   */
  async check(): Promise<void> {
    const connection = this.connection;
    if (connection.status !== "ready") return;
    await callRedis(connection, this.#timeout, "cluster pub/sub ping", () => connection.ping())
      .catch(() => {});
  }

  /** Closes the connection. */
  close(): void {
    this.connection.disconnect();
  }
}
