/**
 * Runs the cluster demo (`npm run demo:cluster`): a redis-server of its own, the scenario of
 * `cluster_steps.ts` on three server processes on it (one per runtime) within a deadline, then
 * every client, node and the Redis stopped, and a summary. Every step checks its own result.
 *
 * @example
 * ```ts
 * import { runClusterDemo } from "./run_cluster_demo.ts";
 * const lines: string[] = [];
 * const result = await runClusterDemo((line) => lines.push(line)); // a few seconds
 * const sections = lines.filter((line) => line.startsWith("== "));
 * console.assert(result === "passed" && sections.length === 9, lines.join("\n"));
 * console.assert(sections.at(-1) === "== Summary");
 * ```
 * @module
 */

import type { Client } from "../client.ts";
import type { NodeProcess } from "../testing/cluster_processes.ts";
import { type RedisServer, startRedisServer } from "../testing/redis_server.ts";
import { type ClusterStage, clusterSteps, startCluster } from "./cluster_steps.ts";
import { runtimeName } from "./shown_values.ts";
import { Transcript } from "./transcript.ts";

/**
 * Options of {@link runClusterDemo}.
 *
 * @example
 * ```ts
 * import type { ClusterDemoOptions } from "./run_cluster_demo.ts";
 * const options: ClusterDemoOptions = { nodeTtl: 1500, deadline: 30_000 };
 * console.assert(options.nodeTtl === 1500);
 * ```
 */
export interface ClusterDemoOptions {
  /** Milliseconds a node counts as alive after its last heartbeat; default 1500. */
  nodeTtl?: number;
  /** Milliseconds after which the scenario counts as hung and stops; default 40 000. */
  deadline?: number;
}

/**
 * How the demo ended: `passed` when every check held, `failed` when one did not (or it hung),
 * `no-redis` when redis-server is not installed (one line with the install hint was written).
 *
 * @example
 * ```ts
 * import type { ClusterDemoResult } from "./run_cluster_demo.ts";
 * const exitCode = (result: ClusterDemoResult): number =>
 *   result === "passed" ? 0 : result === "failed" ? 1 : 3;
 * console.assert(exitCode("no-redis") === 3);
 * ```
 */
export type ClusterDemoResult = "passed" | "failed" | "no-redis";

/**
 * Runs the cluster demo, writing the transcript line by line to `write`.
 *
 * @example
 * ```ts
 * import { runClusterDemo } from "./run_cluster_demo.ts";
 * const failures: string[] = [];
 * const result = await runClusterDemo((line) => {
 *   if (line.startsWith("  FAIL ")) failures.push(line);
 * }, { nodeTtl: 1000, deadline: 30_000 });
 * console.assert(result === "passed" && failures.length === 0, failures.join("\n"));
 * ```
 */
export async function runClusterDemo(
  write: (line: string) => void,
  options: ClusterDemoOptions = {},
): Promise<ClusterDemoResult> {
  let redis: RedisServer;
  try {
    redis = await startRedisServer();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/not installed/.test(message)) {
      write(`webwire cluster demo: ${message}`);
      return "no-redis";
    }
    throw error;
  }
  const t = new Transcript(write);
  const nodeTtl = options.nodeTtl ?? 1500;
  const clients: Client[] = [];
  const processes: NodeProcess[] = [];
  const stage: ClusterStage = { t, nodes: [], nodeTtl, clients, key: "", devices: new Map() };
  write(`WebWire cluster demo on ${runtimeName()}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = options.deadline ?? 40_000;
  const hung = new Promise<"hung">((resolve) =>
    timer = setTimeout(() => resolve("hung"), deadline)
  );
  try {
    const ran = await Promise.race([
      (async () => {
        await startCluster(stage, redis, processes);
        for (const step of clusterSteps) await step(stage);
      })(),
      hung,
    ]);
    if (ran === "hung") t.check(false, `the demo finished within ${deadline} ms`);
  } catch (error) {
    t.check(
      false,
      "the demo ran to its end",
      `stopped by ${error instanceof Error ? `${error.name}: ${error.message}` : error}`,
    );
  } finally {
    clearTimeout(timer);
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(processes.map((node) => node.stop()));
    await redis.stop();
  }
  t.section("Summary");
  if (t.ok) t.note(`all ${t.checks} checks passed`);
  else t.note(`${t.failures.length} of ${t.checks} checks failed: ${t.failures.join("; ")}`);
  return t.ok ? "passed" : "failed";
}
