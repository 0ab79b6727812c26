/**
 * One node of a WebWire cluster on Redis, as its own process, for the multi-process tests and
 * the cluster demo. Reads its settings from the environment, prints `listening <url>` when
 * ready, shuts down gracefully on SIGTERM.
 *
 * | variable               | meaning                                               |
 * | ---------------------- | ----------------------------------------------------- |
 * | `REDIS_URL`            | the Redis of the cluster (required)                   |
 * | `ADAPTER`              | `runtime` (Deno's or Bun's) or `node`; default runtime |
 * | `KEY_PREFIX`           | Redis key prefix; default `webwire:`                  |
 * | `MAX_SESSION_CONNECTIONS` | default 0 (unlimited)                              |
 * | `NODE_TTL`             | ms a node counts as alive after its heartbeat          |
 * | `NODE_NAME`            | what `whereami` answers                               |
 * | `CLUSTER`              | `none`: Redis sessions only, no `RedisCluster`         |
 * | `SESSION_IDLE_TIMEOUT` | the server's `sessionIdleTimeout` in ms; default 0     |
 *
 * Requests: those of the conformance service (`login`, `whoami`, `echo`, ...; so the live
 * server suite runs against a node), `whereami` (the node name), `join` (payload: topic), and
 * for the test to drive the cluster: `admin:signal-session`,
 * `admin:publish`, `admin:broadcast` (payload: JSON `{ key | topic, name, payload }`),
 * `admin:close-session` (payload: key) and `admin:count` (payload: key; the connections
 * holding the session on every node).
 *
 * @example
 * ```ts
 * import { startNodeProcess } from "./cluster_processes.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { Client } from "../client.ts";
 * const redis = await startRedisServer();
 * const env = { REDIS_URL: redis.url, NODE_NAME: "left" };
 * const node = await startNodeProcess("deno", env); // runs this file
 * const client = new Client(node.url);
 * console.assert((await client.request("whereami")).text() === "left");
 * await client.close();
 * await node.stop();
 * await redis.stop();
 * ```
 * @module
 */

import { serveNode } from "../adapters/node.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RedisCluster } from "../redis/redis_cluster.ts";
import { RedisSessionManager } from "../redis/redis_session_manager.ts";
import type { ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import { serveBun } from "../adapters/bun.ts";
import { serveDeno } from "../adapters/deno.ts";

/**
 * The request handler of a cluster node, given its server (for the admin requests) and name.
 *
 * @example
 * ```ts
 * import { clusterNodeService } from "./cluster_node.ts";
 * import { type StartedServer, startServer } from "./serve.ts";
 * import { Client } from "../client.ts";
 * const running: StartedServer = await startServer(clusterNodeService(() => running.server, "n1"));
 * let received!: (text: string) => void;
 * const news = new Promise<string>((resolve) => received = resolve);
 * const client = new Client(running.url, { onSignal: (s) => received(s.payload.text()) });
 * console.assert((await client.request("whereami")).text() === "n1");
 * await client.request("join", "news");
 * const publish = JSON.stringify({ topic: "news", name: "headline", payload: "hello" });
 * console.assert((await client.request("admin:publish", publish)).text() === "1");
 * console.assert(await news === "hello");
 * await client.close();
 * await running.close();
 * ```
 */
export function clusterNodeService(
  server: () => Server,
  name: string,
): Pick<ServerOptions, "onRequest" | "onSignal"> {
  const conformance = conformanceService();
  return {
    onSignal: conformance.onSignal,
    onRequest: async (incoming) => {
      const { name: request, payload, connection } = incoming;
      const text = payload.text();
      switch (request) {
        case "whereami":
          return name;
        case "join":
          connection.subscribe(text);
          return "ok";
        case "admin:signal-session": {
          const { key, name, payload } = JSON.parse(text);
          return String(server().signalSession(key, name, payload));
        }
        case "admin:publish": {
          const { topic, name, payload } = JSON.parse(text);
          return String(server().publish(topic, name, payload));
        }
        case "admin:broadcast": {
          const { name, payload } = JSON.parse(text);
          return String(server().broadcast(name, payload));
        }
        case "admin:close-session":
          return String(await server().closeSession(text));
        case "admin:count":
          return String(await server().clusterSessionConnectionCount(text));
      }
      return await conformance.onRequest!(incoming);
    },
  };
}

function env(name: string): string | undefined {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env[name];
}

async function main(): Promise<void> {
  const redisUrl = env("REDIS_URL");
  if (redisUrl === undefined) throw new Error("REDIS_URL is required");
  const keyPrefix = env("KEY_PREFIX") ?? "webwire:";
  const nodeName = env("NODE_NAME") ?? "node";
  const sessionManager = new RedisSessionManager(redisUrl, {
    keyPrefix,
    commandTimeout: 1000,
    logger: silentLogger,
  });
  const cluster = env("CLUSTER") === "none" ? undefined : new RedisCluster(redisUrl, {
    keyPrefix,
    commandTimeout: 1000,
    nodeTtl: Number(env("NODE_TTL") ?? 10_000),
    logger: silentLogger,
  });
  const server: Server = new Server({
    sessionManager,
    cluster,
    sessionIdleTimeout: Number(env("SESSION_IDLE_TIMEOUT") ?? 0),
    logger: silentLogger,
    maxSessionConnections: Number(env("MAX_SESSION_CONNECTIONS") ?? 0),
    ...clusterNodeService(() => server, nodeName),
  });
  await server.clusterJoined;
  const listen = { port: 0, hostname: "127.0.0.1" };
  const running = env("ADAPTER") === "node"
    ? await serveNode(server, listen)
    : "Bun" in globalThis
    ? serveBun(server, listen)
    : serveDeno(server, listen);
  console.log(`listening ${running.url}`);
  const stop = async () => {
    await running.close();
    await sessionManager.close();
    (globalThis as { process?: { exit(code: number): void } }).process?.exit(0);
  };
  (globalThis as { process?: { on(event: string, listener: () => void): void } }).process
    ?.on("SIGTERM", () => void stop());
}

if ((import.meta as { main?: boolean }).main || env("WEBWIRE_CLUSTER_NODE") === "1") {
  await main();
}
