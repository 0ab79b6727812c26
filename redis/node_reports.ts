/**
 * What a cluster link tells its server of sessions: that no node holds them any more, or that
 * this node holds them again. Internal to the Redis cluster.
 *
 * @example
 * ```ts
 * import { reportSessions } from "./node_reports.ts";
 * const node = { deliver() {}, released: (key: string) => key !== "failing" };
 * const handled = await reportSessions(node, console, "released", ["a", "failing"]);
 * console.assert(handled.join() === "a");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { ClusterNode } from "../server/cluster.ts";

/**
 * Reports `keys` to `node` as `released` or `held`; resolves to those it handled (not those
 * whose report resolved `false` or threw: a throw is logged).
 *
 * @example
 * ```ts
 * import { reportSessions } from "./node_reports.ts";
 * const held: string[] = [];
 * await reportSessions({ deliver() {}, held: (key) => void held.push(key) }, console, "held", ["k"]);
 * console.assert(held[0] === "k");
 * ```
 */
export async function reportSessions(
  node: ClusterNode | null,
  logger: Logger,
  what: "released" | "held",
  keys: readonly string[],
): Promise<string[]> {
  const handled = await Promise.all(keys.map(async (key) => {
    try {
      return await node?.[what]?.(key) !== false;
    } catch (error) {
      logger.error(`reporting a session ${what} to the server failed`, error);
      return false;
    }
  }));
  return keys.filter((_key, index) => handled[index]);
}
