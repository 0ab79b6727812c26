/**
 * A `ClusterNode` that records what its cluster hands it: for tests of a `Cluster` on its own,
 * without a server.
 *
 * @example
 * ```ts
 * import { RecordingClusterNode } from "./recording_cluster_node.ts";
 * const node = new RecordingClusterNode();
 * node.deliver({ kind: "close-session", key: "ada" });
 * node.missed();
 * console.assert(node.closes()[0] === "ada" && node.missedCount === 1);
 * ```
 * @module
 */

import type { ClusterMessage, ClusterNode } from "../server/cluster.ts";

/**
 * Records deliveries, `missed` calls and the sessions reported released or held.
 *
 * @example
 * ```ts
 * import { RecordingClusterNode } from "./recording_cluster_node.ts";
 * const node = new RecordingClusterNode();
 * node.deliver({ kind: "broadcast", signal: new TextEncoder().encode("hi") });
 * console.assert(node.texts()[0] === "hi");
 * ```
 */
export class RecordingClusterNode implements ClusterNode {
  /** Every message delivered, in order. */
  readonly delivered: ClusterMessage[] = [];
  /** Sessions reported released (no node holds them), in order. */
  readonly releasedKeys: string[] = [];
  /** Sessions reported held again, in order. */
  readonly heldKeys: string[] = [];
  /** How many times the cluster said messages may have been missed. */
  missedCount = 0;

  /** Records `message`. */
  deliver(message: ClusterMessage): void {
    this.delivered.push(message);
  }

  /** Counts the call. */
  missed(): void {
    this.missedCount++;
  }

  /** Records `key`; `true`: handled. */
  released(key: string): boolean {
    this.releasedKeys.push(key);
    return true;
  }

  /** Records `key`. */
  held(key: string): void {
    this.heldKeys.push(key);
  }

  /** The signals delivered (not closes), as text. */
  texts(): string[] {
    return this.delivered.flatMap((message) =>
      message.kind === "close-session" ? [] : [new TextDecoder().decode(message.signal)]
    );
  }

  /** The keys of the sessions whose close was delivered. */
  closes(): string[] {
    return this.delivered.flatMap((message) =>
      message.kind === "close-session" ? [message.key] : []
    );
  }
}
