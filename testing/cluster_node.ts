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
 *
 * Requests: `login` (payload: user), `whoami` (the session key), `whereami` (the node name),
 * `join` (payload: topic), and for the test to drive the cluster: `admin:signal-session`,
 * `admin:publish`, `admin:broadcast` (payload: JSON `{ key | topic, name, payload }`),
 * `admin:close-session` (payload: key) and `admin:count` (payload: key; the connections
 * holding the session on every node).
 *
 * @example
 * ```ts
 * import { clusterNodeService } from "./cluster_node.ts";
 * console.assert(typeof clusterNodeService === "function");
 * ```
 * @module
 */

import { serveNode } from "../adapters/node.ts";
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
 * import { Server } from "../server/server.ts";
 * const server: Server = new Server();
 * const options = clusterNodeService(() => server, "node-1");
 * console.assert(typeof options.onRequest === "function");
 * await server.shutdown();
 * ```
 */
export function clusterNodeService(
  server: () => Server,
  name: string,
): Pick<ServerOptions, "onRequest"> {
  return {
    onRequest: async ({ name: request, payload, connection }) => {
      const text = payload.text();
      switch (request) {
        case "login":
          await connection.createSession({ user: text });
          return "ok";
        case "whoami":
          return connection.session?.key ?? "";
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
      return "";
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
  const cluster = new RedisCluster(redisUrl, {
    keyPrefix,
    commandTimeout: 1000,
    nodeTtl: Number(env("NODE_TTL") ?? 10_000),
    logger: silentLogger,
  });
  const server: Server = new Server({
    sessionManager,
    cluster,
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
