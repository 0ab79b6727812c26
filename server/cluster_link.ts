/**
 * A server's link to its cluster, if it has one: joins and leaves it, and relays pushes to the
 * other nodes, reporting what could not be relayed. Internal to the server core.
 *
 * @example
 * ```ts
 * import { ClusterLink } from "./cluster_link.ts";
 * const link = new ClusterLink(null, console, undefined);
 * console.assert(link.cluster === null && link.failures === 0);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Cluster, ClusterMessage, ClusterNode } from "./cluster.ts";

/**
 * The cluster of a server, or none.
 *
 * @example
 * ```ts
 * import { ClusterLink } from "./cluster_link.ts";
 * const errors: unknown[] = [];
 * const link = new ClusterLink(null, console, (error) => errors.push(error));
 * link.relay({ kind: "close-session", key: "k" }); // no cluster: nothing to do
 * console.assert(errors.length === 0);
 * ```
 */
export class ClusterLink {
  /** The cluster, or `null` for a server on its own. */
  readonly cluster: Cluster | null;
  readonly #logger: Logger;
  readonly #onError: ((error: unknown, message: ClusterMessage) => void) | undefined;
  #failures = 0;
  #nextLoggedFailure = 1;
  #joined: Promise<void> = Promise.resolve();

  /** `onError` hears of every message that could not be relayed. */
  constructor(
    cluster: Cluster | null,
    logger: Logger,
    onError: ((error: unknown, message: ClusterMessage) => void) | undefined,
  ) {
    this.cluster = cluster;
    this.#logger = logger;
    this.#onError = onError;
  }

  /** How many messages could not be relayed. */
  get failures(): number {
    return this.#failures;
  }

  /** Resolves once the cluster was joined (at once without one); never rejects. */
  get joined(): Promise<void> {
    return this.#joined;
  }

  /** Joins the cluster as `node`; a failure is logged. */
  join(node: ClusterNode): void {
    if (this.cluster === null) return;
    const cluster = this.cluster;
    this.#joined = (async () => {
      try {
        await cluster.join(node);
      } catch (error) {
        this.#logger.error("joining the cluster failed", error);
      }
    })();
  }

  /** Asks the other nodes to deliver `message`; a failure is counted, reported and logged. */
  relay(message: ClusterMessage): void {
    if (this.cluster === null) return;
    try {
      const result = this.cluster.publish(message);
      if (result instanceof Promise) result.catch((error) => this.#failed(error, message));
    } catch (error) {
      this.#failed(error, message);
    }
  }

  /** Leaves the cluster; a failure is logged. */
  async leave(): Promise<void> {
    if (this.cluster === null) return;
    try {
      await this.cluster.leave();
    } catch (error) {
      this.#logger.error("leaving the cluster failed", error);
    }
  }

  #failed(error: unknown, message: ClusterMessage): void {
    this.#failures++;
    // Logged at the 1st, 10th, 100th, ... failure: Redis down for a while must not flood.
    if (this.#failures === this.#nextLoggedFailure) {
      this.#nextLoggedFailure *= 10;
      this.#logger.error(
        `relaying a ${message.kind} message to the cluster failed (${this.#failures} so far)`,
        error,
      );
    }
    try {
      this.#onError?.(error, message);
    } catch (hookError) {
      this.#logger.error("onClusterError hook failed", hookError);
    }
  }
}
