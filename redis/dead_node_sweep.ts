/**
 * A heartbeat's sweep of nodes that died without leaving. Internal to the Redis cluster.
 *
 * @example
 * ```ts
 * import { sweepDeadNodes } from "./dead_node_sweep.ts";
 * console.assert(typeof sweepDeadNodes === "function");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { ClusterNode } from "../server/cluster.ts";
import type { ClusterCommands } from "./cluster_commands.ts";
import type { ClusterSlots } from "./cluster_slots.ts";
import { reportSessions } from "./node_reports.ts";
import { sweepDeadNodesScript } from "./slot_scripts.ts";

/** Sessions of dead nodes swept per heartbeat, at most. */
const sweepBatch = 1000;

/**
 * Removes the slots of dead nodes (up to {@link sweepBatch} sessions) and reports the sessions
 * that no live node holds now to `node` as released. A failure is left for the next beat:
 * sessions left idle stay in the released hash until reported, so a lost reply only delays
 * them.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { ClusterSlots } from "./cluster_slots.ts";
 * import { sweepDeadNodes } from "./dead_node_sweep.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const client = new Redis(redis.url);
 * const commands = new ClusterCommands(client, "t:", 2000);
 * const released: string[] = [];
 * const node = { deliver() {}, released: (key: string) => released.push(key) > 0 };
 * await sweepDeadNodes(commands, new ClusterSlots(commands, "n1"), node, console, "t:");
 * console.assert(released.length === 0); // no dead node, nothing released
 * await client.quit();
 * await redis.stop();
 * ```
 */
export async function sweepDeadNodes(
  commands: ClusterCommands,
  slots: ClusterSlots,
  node: ClusterNode | null,
  logger: Logger,
  keyPrefix: string,
): Promise<void> {
  const { releasedKey, nodesKey } = commands;
  const idle = await commands.run("sweep", sweepDeadNodesScript, [nodesKey, releasedKey], [
    keyPrefix,
    sweepBatch,
    slots.token(),
  ]).catch(() => []);
  if (!Array.isArray(idle) || idle.length === 0) return;
  // Out of the hash once handled, each with its token: a failed one comes again, a newer stays.
  const tokens = new Map<string, string>();
  for (let i = 0; i + 1 < idle.length; i += 2) tokens.set(String(idle[i]), String(idle[i + 1]));
  const handled = await reportSessions(node, logger, "released", [...tokens.keys()]);
  if (handled.length === 0) return;
  const pairs = handled.flatMap((key) => [key, tokens.get(key)!]);
  await slots.forgetReleased(pairs).catch(() => {});
}
