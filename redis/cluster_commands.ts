/**
 * The Redis commands of one cluster node: its key names and its bounded calls and scripts on
 * the command connection. Internal to `RedisCluster`.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * const client = new Redis({ lazyConnect: true });
 * const commands = new ClusterCommands(client, "chat:", 2000);
 * console.assert(commands.holdersKey("k") === "chat:holders:k");
 * client.disconnect();
 * ```
 * @module
 */

import type { Buffer } from "node:buffer";
// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import type { Redis } from "ioredis";
import { callRedis } from "./redis_call.ts";
import type { RedisScript } from "./redis_script.ts";
import { leaveScript } from "./slot_scripts.ts";

/**
 * Key names and bounded calls of a node; see the module documentation.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { countHoldersScript } from "./slot_scripts.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const client = new Redis(redis.url);
 * const commands = new ClusterCommands(client, "chat:", 2000);
 * const count = await commands.run("session count", countHoldersScript, [
 *   commands.holdersKey("k"),
 * ], [commands.nodePrefix]);
 * console.assert(count === 0);
 * await client.quit();
 * await redis.stop();
 * ```
 */
export class ClusterCommands {
  /** The command connection. */
  readonly client: Redis;
  /** The prefix of every key of the cluster. */
  readonly keyPrefix: string;
  /** The prefix of the nodes' heartbeat keys. */
  readonly nodePrefix: string;
  /**
   * The cluster's pub/sub channel: `<prefix>cluster`, and `:db<n>` after it on database `n`
   * other than 0 (pub/sub ignores database numbers, keys do not: apps on two databases with
   * one prefix must not hear each other's pushes).
   */
  readonly channel: string;
  readonly #timeout: number;

  /** Calls on `client` under `keyPrefix`, each settled within `timeout` ms. */
  constructor(client: Redis, keyPrefix: string, timeout: number) {
    this.client = client;
    this.keyPrefix = keyPrefix;
    this.nodePrefix = `${keyPrefix}node:`;
    const db = client.options?.db ?? 0;
    this.channel = `${keyPrefix}cluster${db === 0 ? "" : `:db${db}`}`;
    this.#timeout = timeout;
  }

  /** The hash of a session's holders: connections per node. */
  holdersKey(key: string): string {
    return `${this.keyPrefix}holders:${key}`;
  }

  /** Where take `token` of a session's kept signals moves them (`takeOfflineScript`). */
  takeKey(token: string): string {
    return `${this.keyPrefix}taken:${token}`;
  }

  /** The list of the signals kept for a session. */
  offlineKey(key: string): string {
    return `${this.keyPrefix}offline:${key}`;
  }

  /** The set of the sessions in which node `id` has a slot (`slot_scripts.ts`). */
  slotsKey(id: string): string {
    return `${this.keyPrefix}slots:${id}`;
  }

  /** The set of the ids of nodes that have beaten, dead ones until swept. */
  get nodesKey(): string {
    return `${this.keyPrefix}nodes`;
  }

  /** The hash of the sessions left with no holder (to a token), until reported. */
  get releasedKey(): string {
    return `${this.keyPrefix}released`;
  }

  /**
   * Node `id` leaves: its node key goes, and its id from the nodes set when it holds no slot
   * (else a live node's sweep removes it with its slots).
   *
   * @throws {RedisUnavailableError} on timeout or when the connection is down or closed.
   */
  leave(id: string): Promise<unknown> {
    const keys = [`${this.nodePrefix}${id}`, this.nodesKey, this.slotsKey(id)];
    return this.run("leaving", leaveScript, keys, [id]);
  }

  /**
   * Runs `command` once the connection is ready, within the time limit (`callRedis`).
   *
   * @throws {RedisUnavailableError} on timeout or when the connection is down or closed.
   */
  call<T>(operation: string, command: () => Promise<T>): Promise<T> {
    return callRedis(this.client, this.#timeout, `cluster ${operation}`, command);
  }

  /**
   * Runs `script` by its source (`EVAL`), never by its SHA1 alone: a command sent after it
   * cannot overtake it, even when Redis has lost its script cache (a restart, a failover,
   * `SCRIPT FLUSH`), as it could while `EVALSHA` waited for its `NOSCRIPT` reply and was sent
   * again. Redis still compiles a script once and finds it by its hash; the source costs a
   * few hundred bytes per call. `binary` returns strings as `Buffer`s.
   *
   * @throws {RedisUnavailableError} on timeout or when the connection is down or closed.
   */
  run(
    operation: string,
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
    binary = false,
  ): Promise<unknown> {
    const client = this.client;
    return this.call(
      operation,
      () =>
        binary
          ? client.callBuffer("EVAL", script.lua, keys.length, ...keys, ...args)
          : client.call("EVAL", script.lua, keys.length, ...keys, ...args),
    );
  }
}
