/**
 * A server's link to its cluster, if it has one: joins and leaves it, and relays pushes to the
 * other nodes, reporting what could not be relayed. A close of a session that could not be
 * relayed is tried again for about a minute: pushes are delivered at most once, but a node that
 * never hears of a close would let its connections keep a forgotten session. Internal to the
 * server core.
 *
 * @example
 * ```ts
 * import { ClusterLink } from "./cluster_link.ts";
 * const link = new ClusterLink(null, console, undefined);
 * console.assert(link.cluster === null && link.failures === 0);
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import type { Logger } from "../protocol/logger.ts";
import type { Cluster, ClusterMessage, ClusterNode } from "./cluster.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { HookFailures } from "./hook_failures.ts";

/** How long relaying must work after a failure for an outage to count as over, in ms. */
const defaultQuietAfterOutage = 10_000;

/** Waits before the tries again of a close that could not be relayed (about a minute in all). */
const defaultCloseRetryDelays: readonly number[] = [250, 500, 1000, 2000, 4000, 8000, 15000, 30000];

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
  /** The hook's failures, logged at the 1st, 10th, ...: an outage fails every push. */
  readonly #hookFailures: HookFailures;
  #failures = 0;
  /**
   * Failures of the current outage: one ends when a message is relayed a while after the last
   * failure (10 s by default), and the next outage is logged from its first failure.
   */
  readonly #outage = new PowersOfTenLog();
  #lastFailureAt = -Infinity;
  readonly #quietAfterOutage: number;
  readonly #malformed = new PowersOfTenLog();
  readonly #givenUp = new PowersOfTenLog();
  #joined: Promise<void> = Promise.resolve();
  readonly #retries = new Set<ReturnType<typeof setTimeout>>();
  readonly #closeRetryDelays: readonly number[];
  #left = false;

  /**
   * `onError` hears of every message that could not be relayed; `closeRetryDelays` are the
   * waits before each new try of a close that could not be relayed; `quietAfterOutage` is how
   * long (ms) relaying must go without a failure for an outage to be over.
   */
  constructor(
    cluster: Cluster | null,
    logger: Logger,
    onError: ((error: unknown, message: ClusterMessage) => void) | undefined,
    closeRetryDelays: readonly number[] = defaultCloseRetryDelays,
    quietAfterOutage: number = defaultQuietAfterOutage,
  ) {
    this.#closeRetryDelays = closeRetryDelays;
    this.#quietAfterOutage = quietAfterOutage;
    this.cluster = cluster;
    this.#logger = logger;
    this.#onError = onError;
    this.#hookFailures = new HookFailures(logger);
  }

  /** How many messages could not be relayed. */
  get failures(): number {
    return this.#failures;
  }

  /** Resolves once the cluster was joined (at once without one); never rejects. */
  get joined(): Promise<void> {
    return this.#joined;
  }

  /**
   * Joins the cluster as `node`; a failure is logged. What the cluster delivers reaches `node`
   * only if its signal is one whole WebWire signal message: anyone who can publish on the
   * cluster's channel could send other bytes, and a client that got them would close its
   * connection as broken. Those are dropped and logged at the 1st, 10th, 100th, ... one.
   */
  join(node: ClusterNode): void {
    if (this.cluster === null) return;
    const cluster = this.cluster;
    const checked: ClusterNode = {
      ...node,
      deliver: (message) => {
        if (message.kind === "close-session" || this.#isSignal(message.signal, message.kind)) {
          node.deliver(message);
        }
      },
    };
    this.#joined = (async () => {
      try {
        await cluster.join(checked);
      } catch (error) {
        this.#logger.error("joining the cluster failed", error);
      }
    })();
  }

  /**
   * Asks the other nodes to deliver `message`; a failure is counted, reported and logged, and a
   * close of a session is tried again until it is relayed or about a minute has passed.
   */
  relay(message: ClusterMessage): void {
    if (this.cluster === null) return;
    this.#publish(this.cluster, message, 0);
  }

  /**
   * Gives back signals taken for session `key` that a restore could not deliver, and those it
   * held meanwhile (`Cluster.returnUndeliveredSignals`; else only the taken ones, by
   * `Cluster.returnOfflineSignals`). Says which it gave back: `all`, `taken` (the caller sends
   * the held ones again as pushes) or `none` (the caller sends them all again). A failure is
   * counted, reported and logged for each, as a push's.
   */
  returnOfflineSignals(
    key: string,
    signals: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): "all" | "taken" | "none" {
    const cluster = this.cluster;
    if (cluster === null) return "none";
    const all = cluster.returnUndeliveredSignals !== undefined;
    if (!all && cluster.returnOfflineSignals === undefined) return "none";
    const failed = (error: unknown) => {
      for (const signal of all ? [...signals, ...held] : signals) {
        this.#failed(error, { kind: "signal-session", key, signal });
      }
    };
    try {
      const returned = all
        ? cluster.returnUndeliveredSignals!(key, signals, held)
        : cluster.returnOfflineSignals!(key, signals);
      if (returned instanceof Promise) returned.then(this.#relayed, failed);
    } catch (error) {
      failed(error);
    }
    return all ? "all" : "taken";
  }

  /**
   * Signals for session `key` that a keeping release (`Cluster.releaseSessionKeeping`) that
   * failed may not have kept: each is counted, reported and logged as a push that failed.
   */
  unkept(error: unknown, key: string, signals: readonly Uint8Array[]): void {
    for (const signal of signals) this.#failed(error, { kind: "signal-session", key, signal });
  }

  /**
   * Takes the signals the cluster kept for session `key` (`Cluster.takeOfflineSignals`),
   * without those that are not whole WebWire signal messages (dropped and logged as in
   * {@link ClusterLink.join}).
   */
  async takeOfflineSignals(key: string): Promise<Uint8Array[]> {
    if (this.cluster === null) return [];
    const kept = await this.cluster.takeOfflineSignals(key);
    return kept.filter((signal) => this.#isSignal(signal, "kept"));
  }

  /** How many closes of sessions wait to be tried again. */
  get retrying(): number {
    return this.#retries.size;
  }

  /** Leaves the cluster (closes waiting to be tried again are dropped); a failure is logged. */
  async leave(): Promise<void> {
    if (this.cluster === null) return;
    this.#left = true;
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
    try {
      await this.cluster.leave();
    } catch (error) {
      this.#logger.error("leaving the cluster failed", error);
    }
  }

  /** Publishes `message`; `tried` is how many times it failed already (only closes retry). */
  #publish(cluster: Cluster, message: ClusterMessage, tried: number): void {
    const failed = (error: unknown) => {
      // A close is reported when it first fails, and again only if it is given up.
      if (tried === 0) this.#failed(error, message);
      if (message.kind === "close-session") this.#retryLater(cluster, message, tried, error);
    };
    try {
      const result = cluster.publish(message);
      if (result instanceof Promise) result.then(this.#relayed, failed);
      else this.#relayed();
    } catch (error) {
      failed(error);
    }
  }

  #retryLater(cluster: Cluster, message: ClusterMessage, tried: number, error: unknown): void {
    if (this.#left) return;
    if (tried >= this.#closeRetryDelays.length) {
      // An outage that outlasts the tries gives up every close made during it: its 1st, 10th, ...
      if (!this.#givenUp.tally()) return;
      const so = this.#givenUp.count === 1 ? "" : ` (${this.#givenUp.count} in this outage)`;
      this.#logger.error(
        `gave up relaying a close of a session to the cluster after ${tried + 1} tries${so}: ` +
          "nodes that did not hear of it keep its connections until the cluster relays it " +
          "(RedisCluster tries again at each heartbeat) or their own link is cut and back",
        error,
      );
      return;
    }
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      if (!this.#left) this.#publish(cluster, message, tried + 1);
    }, this.#closeRetryDelays[tried]);
    this.#retries.add(timer);
  }

  /**
   * A message was relayed: the outage, if there was one, is over once no failure came for a
   * while (else failures mixed with successes, say Redis refusing only kept signals, would each
   * be logged).
   */
  readonly #relayed = (): void => {
    if (performance.now() - this.#lastFailureAt >= this.#quietAfterOutage) this.#outageOver();
  };

  /** An outage is over: the next one's failures and given-up closes are logged from the 1st. */
  #outageOver(): void {
    this.#outage.reset();
    this.#givenUp.reset();
  }

  #failed(error: unknown, message: ClusterMessage): void {
    this.#failures++;
    const now = performance.now();
    // A failure long after the last one begins a new outage, whatever came in between.
    if (now - this.#lastFailureAt >= this.#quietAfterOutage) this.#outageOver();
    this.#lastFailureAt = now;
    // Logged at the 1st, 10th, 100th, ... failure of an outage: Redis down for a while must not
    // flood the log, and the next outage is logged again.
    if (this.#outage.tally()) {
      this.#logger.error(
        `relaying a ${message.kind} message to the cluster failed (${this.#outage.count} in ` +
          `this outage, ${this.#failures} since the server started)`,
        error,
      );
    }
    const onError = this.#onError;
    if (onError !== undefined) {
      this.#hookFailures.call("onClusterError", () => onError(error, message));
    }
  }

  /** Whether `bytes` is one whole WebWire signal message; logs one that is not. */
  #isSignal(bytes: Uint8Array, what: string): boolean {
    try {
      if (decodeMessage(bytes).kind === "signal") return true;
    } catch {
      // Not a WebWire message at all: dropped below.
    }
    if (this.#malformed.tally()) {
      this.#logger.warn(
        `dropped a ${what} signal from the cluster that is not a WebWire signal message ` +
          `(${this.#malformed.count} so far): is another application publishing on the ` +
          "cluster's channel?",
      );
    }
    return false;
  }
}
