/**
 * Two WebWire servers in a cluster on a real redis-server whose timing a test controls: each
 * node's session manager (the Redis one, in a {@link GatedManager}) can hold a lookup or a
 * forget until the test opens a gate, and each node's cluster link (a {@link HoldingCluster})
 * can hold what the other node publishes. For tests of session closes racing restores, and of
 * messages a node missed.
 *
 * @example
 * ```ts
 * import { startGatedCluster, loginPeer } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = await startGatedCluster(redis.url, "doc:");
 * const ada = await loginPeer(cluster.nodes[0]);
 * console.assert((await cluster.stored(ada.key)) !== null);
 * await ada.client.close();
 * await cluster.stop();
 * await redis.stop();
 * ```
 * @module
 */

import assert from "node:assert/strict";
// @ts-types="../redis/ioredis.d.ts"
import { Redis } from "ioredis";
import { Client } from "../client/client.ts";
import type { ServerSignal } from "../client/events.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RedisCluster, type RedisClusterOptions } from "../redis/redis_cluster.ts";
import { RedisSessionManager } from "../redis/redis_session_manager.ts";
import type { ClusterMessage } from "../server/cluster.ts";
import type { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import type { SessionLookupResult } from "../session/session_manager.ts";
import { clusterNodeService } from "./cluster_node.ts";
import { GatedManager } from "./gated_session_manager.ts";
import { HoldingCluster } from "./holding_cluster.ts";
import { redisFixture } from "./redis_fixture.ts";
import type { RedisServer } from "./redis_server.ts";
import { type StartedServer, startServer } from "./serve.ts";
import { until } from "./until.ts";

/**
 * One node of a {@link GatedCluster}.
 *
 * @example
 * ```ts
 * import type { GatedNode } from "./gated_cluster.ts";
 * const url = (node: GatedNode): string => node.running.url;
 * console.assert(typeof url === "function");
 * ```
 */
export interface GatedNode {
  /** The running server. */
  readonly running: StartedServer;
  /** Its WebWire server. */
  readonly server: Server;
  /** Its session manager, over {@link GatedNode.redisSessions}. */
  readonly manager: GatedManager;
  /** The Redis session manager underneath. */
  readonly redisSessions: RedisSessionManager;
  /** Its cluster link. */
  readonly cluster: HoldingCluster;
  /** The Redis link inside {@link GatedNode.cluster}. */
  readonly link: RedisCluster;
  /** The messages its server reported as not relayed (`onClusterError`), in order. */
  readonly failed: ClusterMessage[];
}

/**
 * Two nodes sharing one redis-server under one key prefix.
 *
 * @example
 * ```ts
 * import { type GatedCluster, startGatedCluster } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster: GatedCluster = await startGatedCluster(redis.url, "doc2:");
 * console.assert((await cluster.stored("no such key")) === null);
 * await cluster.stop();
 * await redis.stop();
 * ```
 */
export interface GatedCluster {
  /** Node a and node b. */
  readonly nodes: readonly [GatedNode, GatedNode];
  /** The prefix of every Redis key of both nodes. */
  readonly keyPrefix: string;
  /** Looks a key up in Redis directly (null: forgotten). */
  stored(key: string): Promise<SessionLookupResult | null>;
  /** How many times the session managers of both nodes were told to forget `key`. */
  forgotten(key: string): number;
  /**
   * Waits until Redis keeps `count` signals for session `key`. A node's pushes reach Redis a
   * moment after the call: one landing after a restore has taken the session's slot would be
   * published to that restore (held by it) instead of kept.
   */
  untilKept(key: string, count: number): Promise<void>;
  /** Stops both servers and closes every Redis connection. */
  stop(): Promise<void>;
}

/**
 * Starts nodes "a" and "b" (the cluster node test service) on the redis-server at `redisUrl`,
 * with keys under `keyPrefix`, and waits until both joined. `clusterUrls` gives each node's
 * cluster link its own URL (for example another Redis user); by default `redisUrl`.
 * `linkOptions` are added to the options of both cluster links.
 *
 * @example
 * ```ts
 * import { startGatedCluster } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = await startGatedCluster(redis.url, "doc3:");
 * console.assert(cluster.nodes.length === 2);
 * await cluster.stop();
 * await redis.stop();
 * ```
 */
export async function startGatedCluster(
  redisUrl: string,
  keyPrefix: string,
  clusterUrls: readonly [string, string] = [redisUrl, redisUrl],
  linkOptions: RedisClusterOptions = {},
  serverOptions: ServerOptions = {},
): Promise<GatedCluster> {
  const nodes: GatedNode[] = [];
  for (const [index, name] of ["a", "b"].entries()) {
    const redisSessions = new RedisSessionManager(redisUrl, {
      keyPrefix,
      commandTimeout: 2000,
      logger: silentLogger,
    });
    const manager = new GatedManager(redisSessions);
    const link = new RedisCluster(clusterUrls[index], {
      keyPrefix,
      commandTimeout: 2000,
      logger: silentLogger,
      ...linkOptions,
    });
    const cluster = new HoldingCluster(link);
    const failed: ClusterMessage[] = [];
    const holder: { server?: Server } = {};
    const running = await startServer({
      sessionManager: manager,
      cluster,
      logger: silentLogger,
      onClusterError: (_error, message) => void failed.push(message),
      ...serverOptions,
      ...clusterNodeService(() => holder.server!, name),
    });
    holder.server = running.server;
    await running.server.clusterJoined;
    nodes.push({ running, server: running.server, manager, cluster, link, failed, redisSessions });
  }
  const probe = new RedisSessionManager(redisUrl, { keyPrefix, logger: silentLogger });
  return {
    keyPrefix,
    nodes: nodes as [GatedNode, GatedNode],
    stored: (key) => probe.onSessionLookup(key),
    forgotten: (key) =>
      nodes.reduce((sum, node) => sum + node.manager.forgotten.filter((k) => k === key).length, 0),
    async untilKept(key, count) {
      const redis = new Redis(redisUrl);
      const offline = `${keyPrefix}offline:${key}`;
      try {
        await until(async () => await redis.call("LLEN", offline) === count, `${count} kept`);
      } finally {
        redis.disconnect();
      }
    },
    async stop() {
      for (const node of nodes) {
        node.cluster.release();
        node.manager.lookupGate.open();
        node.manager.forgetGate.open();
        node.manager.releaseGate.open();
        await node.running.close();
        await node.redisSessions.close();
      }
      await probe.close();
    },
  };
}

/**
 * A client of one node, recording the signals it received and counting the session-closed
 * events it fired.
 *
 * @example
 * ```ts
 * import type { Peer } from "./gated_cluster.ts";
 * const closedTwice = (peer: Peer): boolean => peer.closedEvents === 2;
 * console.assert(typeof closedTwice === "function");
 * ```
 */
export interface Peer {
  /** The connected client. */
  readonly client: Client;
  /** Each signal received, as `name:payload text`, in order. */
  readonly signals: string[];
  /** How many sessionclosed events the client fired. */
  closedEvents: number;
}

/**
 * Connects a client to `node` (a gated node, or any node with a running server).
 *
 * @example
 * ```ts
 * import { connectPeer, startGatedCluster } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = await startGatedCluster(redis.url, "doc4:");
 * const peer = await connectPeer(cluster.nodes[1]);
 * console.assert(peer.client.session === null);
 * await peer.client.close();
 * await cluster.stop();
 * await redis.stop();
 * ```
 */
export async function connectPeer(node: Pick<GatedNode, "running">): Promise<Peer> {
  const signals: string[] = [];
  const client = new Client(node.running.url, {
    logger: silentLogger,
    autoconnect: false,
    onSignal: (signal: ServerSignal) =>
      void signals.push(`${signal.name}:${signal.payload.text()}`),
  });
  const peer = { client, signals, closedEvents: 0 };
  client.addEventListener("sessionclosed", () => peer.closedEvents++);
  await client.connect();
  return peer;
}

/**
 * Connects a client to `node` and logs it in: a new session, stored in Redis.
 *
 * @example
 * ```ts
 * import { loginPeer, startGatedCluster } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = await startGatedCluster(redis.url, "doc5:");
 * const ada = await loginPeer(cluster.nodes[1]);
 * console.assert(ada.client.session?.key === ada.key);
 * await ada.client.close();
 * await cluster.stop();
 * await redis.stop();
 * ```
 */
export async function loginPeer(node: GatedNode): Promise<Peer & { key: string }> {
  const peer = await connectPeer(node);
  await peer.client.request("login", "ada");
  await until(() => peer.client.session !== null, "logged in");
  return Object.assign(peer, { key: peer.client.session!.key });
}

/**
 * Waits until no connection of either node holds `key`, then checks that every cluster slot
 * of it was given back and that Redis has forgotten it (assertions of `node:assert`).
 *
 * @example
 * ```ts
 * import { heldByNobody, startGatedCluster } from "./gated_cluster.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const cluster = await startGatedCluster(redis.url, "doc6:");
 * await heldByNobody(cluster, "a key never used");
 * await cluster.stop();
 * await redis.stop();
 * ```
 */
export async function heldByNobody(cluster: GatedCluster, key: string): Promise<void> {
  const [a, b] = cluster.nodes;
  await until(
    () => a.server.sessionConnections(key).length + b.server.sessionConnections(key).length === 0,
    "both nodes let the session go",
  );
  assert.equal(await a.server.clusterSessionConnectionCount(key), 0, "every slot given back");
  assert.equal(await cluster.stored(key), null, "Redis forgot the session");
}

/**
 * A redis-server for the tests of one file and the gated clusters they start on it, each under
 * a key prefix of its own.
 *
 * @example
 * ```ts
 * import type { GatedClusterFixture } from "./gated_cluster.ts";
 * const started = (fixture: GatedClusterFixture) => fixture.start();
 * console.assert(typeof started === "function");
 * ```
 */
export interface GatedClusterFixture {
  /** The redis-server (started before the file's first test). */
  readonly redis: RedisServer;
  /** Starts two nodes as {@link startGatedCluster} does, under a new key prefix. */
  start(
    clusterUrls?: readonly [string, string],
    linkOptions?: RedisClusterOptions,
    serverOptions?: ServerOptions,
  ): Promise<GatedCluster>;
}

/**
 * Registers `before` and `after` hooks of `node:test` that start a redis-server for the
 * calling test file and stop it at its end; key prefixes are `name` and a count.
 *
 * @example
 * ```ts ignore
 * import { test } from "node:test";
 * import { gatedClusterFixture } from "./gated_cluster.ts";
 * const clusters = gatedClusterFixture("example");
 * test("two nodes", async () => {
 *   const cluster = await clusters.start();
 *   await cluster.stop();
 * });
 * ```
 */
export function gatedClusterFixture(name: string): GatedClusterFixture {
  const redis = redisFixture();
  let count = 0;
  return {
    get redis() {
      return redis.server;
    },
    start: (clusterUrls, linkOptions, serverOptions) =>
      startGatedCluster(redis.url, `${name}${++count}:`, clusterUrls, linkOptions, serverOptions),
  };
}

/**
 * Starts two nodes of `clusters` (with `serverOptions`) and stores a session in Redis that no
 * connection holds: a client logs in on node b and leaves (its slot given back before this
 * resolves).
 *
 * @example
 * ```ts
 * import { gatedClusterFixture, startWithStoredSession } from "./gated_cluster.ts";
 * const clusters = gatedClusterFixture("doc7:");
 * const started = () => startWithStoredSession(clusters); // in a test of that file
 * console.assert(typeof started === "function");
 * ```
 */
export async function startWithStoredSession(
  clusters: GatedClusterFixture,
  serverOptions?: ServerOptions,
): Promise<{ cluster: GatedCluster; key: string }> {
  const cluster = await clusters.start(undefined, undefined, serverOptions);
  const [, b] = cluster.nodes;
  const first = await loginPeer(b);
  await first.client.close();
  await until(
    async () => await b.server.clusterSessionConnectionCount(first.key) === 0,
    "the first client left",
  );
  return { cluster, key: first.key };
}
