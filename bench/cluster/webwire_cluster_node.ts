/**
 * Our server for the cluster benchmark, on the runtime's adapter (`Bun.serve` under Bun,
 * `Deno.serve` under Deno, `ws` on `node:http` under Node, bundled with esbuild first).
 *
 * Usage: `<runtime> bench/cluster/webwire_cluster_node.ts --sessions memory|file|redis
 * [--cluster] [--redis redis://127.0.0.1:6379] [--prefix bench:] [--lifetime 900]`
 *
 * - `--sessions redis --cluster` is a cluster node: `RedisSessionManager` and `RedisCluster` on
 *   one Redis and key prefix, as a scaled-out deployment runs it.
 * - `--sessions memory|file|redis` without `--cluster` is a single server for the restore
 *   comparison (`file` uses a temporary directory, removed at exit).
 *
 * Requests: `login` creates a session and answers its key; `join` subscribes the connection to
 * the topic in the payload; `run` (payload: a JSON `RunSpec`) sends the signals it describes
 * with `server.signalSession` (mode `session`) or `server.publish` (mode `topic`), each a
 * 64-byte `tick` stamped with this process's clock, and answers a JSON `RunResult` when all are
 * sent. The signal `progress` (ASCII count) is the generator's report of what it received.
 * Prints `READY <url> <pid>` when it listens. The read timeout is an hour: the generator's raw
 * sockets send no heartbeats.
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { silentLogger } from "../../protocol/logger.ts";
import { RequestError } from "../../protocol/request_error.ts";
import { RedisCluster } from "../../redis/redis_cluster.ts";
import { RedisSessionManager } from "../../redis/redis_session_manager.ts";
import type { IncomingRequest, IncomingSignal } from "../../server/incoming.ts";
import { Server } from "../../server.ts";
import { FileSessionManager } from "../../session/file_session_manager.ts";
import { MemorySessionManager } from "../../session/memory_session_manager.ts";
import type { SessionManager } from "../../session/session_manager.ts";
import { signalName, stampedPayload } from "../broadcast/signal_layout.ts";
import { announce } from "../e2e/serve_args.ts";
import { serveOnRuntime } from "../e2e/serve_on_runtime.ts";
import { parseRunSpec, Progress, runEmission, type Send } from "./emission.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    sessions: { type: "string", default: "memory" },
    cluster: { type: "boolean", default: false },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    prefix: { type: "string", default: "bench:" },
    lifetime: { type: "string", default: "900" },
  },
});

let sessionDirectory: string | undefined;
function sessionManager(kind: string): SessionManager {
  switch (kind) {
    case "memory":
      return new MemorySessionManager();
    case "file":
      sessionDirectory = mkdtempSync(join(tmpdir(), "webwire-bench-sessions-"));
      process.on("exit", () => rmSync(sessionDirectory!, { recursive: true, force: true }));
      return new FileSessionManager({ directory: sessionDirectory });
    case "redis":
      return new RedisSessionManager(values.redis, {
        keyPrefix: values.prefix,
        logger: silentLogger,
      });
  }
  throw new Error(`--sessions takes memory, file or redis, not ${kind}`);
}

const progress = new Progress();

async function answer(request: IncomingRequest): Promise<string> {
  const connection = request.connection;
  switch (request.name) {
    case "login":
      return (await connection.createSession()).key;
    case "join":
      connection.subscribe(request.payload.text());
      return "ok";
    case "run": {
      const spec = parseRunSpec(request.payload.text());
      const send: Send = spec.mode === "session"
        ? (sequence, key) => server.signalSession(key, signalName, stampedPayload(sequence))
        : (sequence, topic) => server.publish(topic, signalName, stampedPayload(sequence));
      const result = await runEmission(spec, send, progress, () => server.clusterErrors);
      return JSON.stringify(result);
    }
  }
  throw new RequestError("UNKNOWN", `no request named ${request.name}`);
}

const server: Server = new Server({
  readTimeout: 3_600_000,
  sessionManager: sessionManager(values.sessions),
  cluster: values.cluster
    ? new RedisCluster(values.redis, { keyPrefix: values.prefix, logger: silentLogger })
    : undefined,
  logger: silentLogger,
  onRequest: answer,
  onSignal(signal: IncomingSignal): void {
    if (signal.name === "progress") progress.update(Number(signal.payload.text()));
  },
});
await server.clusterJoined;
// So that the exit hooks run (the temporary session directory is removed).
process.on("SIGTERM", () => process.exit(0));

announce((await serveOnRuntime(server)).port);
