/**
 * A cluster of WebWire servers on one Redis: the `Cluster` port of the server core, so that
 * pushes, session slots and signals for offline sessions span every server process.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "./redis_cluster.ts";
 * const cluster = new RedisCluster("redis://127.0.0.1:6379", { keyPrefix: "chat:" });
 * console.assert(cluster.nodeId.length === 16);
 * await cluster.leave(); // never joined: nothing to do but close its connections
 * ```
 * @module
 */

// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import type { Redis } from "ioredis";
import { guardedLogger } from "../protocol/guarded_logger.ts";
import type { Logger } from "../protocol/logger.ts";
import type { Cluster, ClusterMessage, ClusterNode } from "../server/cluster.ts";
import { UnsentCloses } from "./cluster_closes.ts";
import { ClusterCommands } from "./cluster_commands.ts";
import { decodeClusterMessages } from "./cluster_message.ts";
import { ClusterRelay } from "./cluster_relay.ts";
import { ClientListeners } from "./client_listeners.ts";
import { ownClusterClient, positiveOption, randomNodeId } from "./cluster_parts.ts";
import { ClusterSlots } from "./cluster_slots.ts";
import { ClusterSubscriber } from "./cluster_subscriber.ts";
import { countHoldersScript, heartbeatScript } from "./slot_scripts.ts";
import { sweepDeadNodes } from "./dead_node_sweep.ts";
import { reportSessions } from "./node_reports.ts";
import type { RedisClusterOptions } from "./redis_cluster_options.ts";

export type { RedisClusterOptions } from "./redis_cluster_options.ts";

/**
 * The Redis implementation of the server's `Cluster` port. Give one to each server
 * (`new Server({ cluster: new RedisCluster(url) })`); the servers on one Redis and one key
 * prefix form a cluster.
 *
 * - **Pushes** go over one Redis pub/sub channel (`<prefix>cluster`; `:db<n>` after it on a
 *   database other than 0, as pub/sub spans databases), as the bytes that the clients
 *   receive: each node delivers what the others publish on its own connections. Pub/sub
 *   delivers at most once and only to nodes connected at that moment, which is what pushes to
 *   live connections need; streams would add storage and acknowledgements for no gain here.
 *   What a node publishes without awaiting in between (a loop of `signalSession` calls, say)
 *   goes to Redis as one command and to the other nodes as one message, in order.
 * - **Session slots** (`maxSessionConnections`) are counted per node in a hash per session,
 *   taken and given back by Lua scripts (atomic); a node's slots count while its heartbeat key
 *   lives, so a node killed without leaving frees them within `nodeTtl`.
 * - **Offline signals**: a session signal that no live node can take is kept in a Redis list
 *   (bounded by `maxCount`, expired after `maxAge`) and handed, in order, to the node that
 *   restores the session next. One script decides "publish or keep", so none falls between.
 * - **Faults**: every call settles within `commandTimeout` (`RedisUnavailableError`); while
 *   Redis is down, pushes reach only the local connections (the server counts and reports each
 *   one not relayed), session slots cannot be taken (restores and logins get the internal-error
 *   reply), and the subscriber reconnects and subscribes again by itself when Redis is back.
 *   Messages published while a node's pub/sub connection was cut do not reach it; once it is
 *   back, the node detaches its connections from sessions closed meanwhile
 *   (`ClusterNode.missed`). A connection that leaves a call unanswered for `commandTimeout` (a
 *   partition that keeps TCP up, a hung Redis) is reset and reconnects, and the pub/sub one is
 *   pinged at each heartbeat for that: what was held up is dropped, not delivered late (a
 *   hung Redis runs what it had received when it wakes: kept signals taken then are given back
 *   at a later heartbeat, or as the node leaves).
 *   A restarted Redis without persistence has forgotten kept signals; each node writes its slots
 *   again at its next heartbeat (and drops fields of sessions it no longer holds, which a
 *   restart from a snapshot brings back). Nodes killed without leaving are swept by the live
 *   ones: the sessions only they held start their idle clock.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "./redis_cluster.ts";
 * import { RedisSessionManager } from "./redis_session_manager.ts";
 * const url = "redis://127.0.0.1:6379";
 * const options = { sessionManager: new RedisSessionManager(url), cluster: new RedisCluster(url) };
 * console.assert(options.cluster.channel === "webwire:cluster");
 * await options.cluster.leave();
 * await options.sessionManager.close();
 * ```
 */
export class RedisCluster implements Cluster {
  /** This node's id. */
  readonly nodeId: string;
  /** This process's id in the cluster: `nodeId`, with a random suffix when it was given. */
  readonly #instanceId: string;
  /** The key prefix. */
  readonly keyPrefix: string;
  /** The pub/sub channel: `<prefix>cluster`, or `<prefix>cluster:db<n>` on database n > 0. */
  readonly channel: string;
  readonly #client: Redis;
  readonly #subscriber: ClusterSubscriber;
  readonly #unsentCloses = new UnsentCloses();
  readonly #ownsClient: boolean;
  readonly #commands: ClusterCommands;
  readonly #relay: ClusterRelay;
  readonly #slots: ClusterSlots;
  /** Whether a heartbeat has reached Redis: one that finds no key after it was forgotten. */
  #beaten = false;
  /** How many heartbeats this node sent: each writes a value of its own. */
  #beats = 0;
  /** The value of the last key that a heartbeat of this node created and saw it create. */
  #seenFresh: string | undefined;
  readonly #nodeTtl: number;
  readonly #logger: Logger;
  #node: ClusterNode | null = null;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** What this node listens to on the command client, taken off at the leave. */
  readonly #clientListeners: ClientListeners;

  /**
   * Creates the node's link on an ioredis client (a second connection for pub/sub is made with
   * `duplicate()`), or on new lazily connecting clients for a `redis://` URL. Give an
   * application's client `autoResendUnfulfilledCommands: false`, as the node's own clients
   * have: else ioredis sends a command again after a cut, and a push may be delivered twice.
   * Its `keyPrefix` must be unset: give this constructor the `keyPrefix` option instead.
   *
   * @throws {RangeError} for a bad option, or a client with a `keyPrefix` of its own.
   */
  constructor(redis: Redis | string, options: RedisClusterOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? "webwire:";
    this.nodeId = options.nodeId ?? randomNodeId();
    if (!/^[\x21-\x7e]{1,64}$/.test(this.nodeId)) {
      throw new RangeError(`nodeId must be 1 to 64 printable ASCII characters`);
    }
    this.#instanceId = options.nodeId === undefined
      ? this.nodeId
      : `${this.nodeId}.${randomNodeId()}`;
    const timeout = positiveOption("commandTimeout", options.commandTimeout ?? 2000);
    this.#nodeTtl = positiveOption("nodeTtl", options.nodeTtl ?? 10_000);
    const offline = options.offlineSignals;
    const bounds = {
      maxCount: offline === false ? 0 : positiveOption("maxCount", offline?.maxCount ?? 256),
      maxAge: positiveOption("maxAge", offline === false ? 1 : offline?.maxAge ?? 300_000),
    };
    const batchSize = positiveOption("batchSize", options.batchSize ?? 256);
    this.#logger = guardedLogger(options.logger ?? console);
    if (typeof redis !== "string" && (redis.options?.keyPrefix ?? "") !== "") {
      // Its scripts name keys from their arguments, which ioredis does not prefix.
      throw new RangeError(
        "the cluster's ioredis client must have no keyPrefix: give RedisCluster the keyPrefix option",
      );
    }
    this.#ownsClient = typeof redis === "string";
    this.#client = typeof redis === "string" ? ownClusterClient(redis) : redis;
    this.#commands = new ClusterCommands(this.#client, this.keyPrefix, timeout);
    this.channel = this.#commands.channel;
    this.#relay = new ClusterRelay(this.#commands, this.#instanceId, bounds, batchSize);
    this.#slots = new ClusterSlots(this.#commands, this.#instanceId);
    this.#subscriber = new ClusterSubscriber(this.#client, this.channel, timeout);
    this.#clientListeners = new ClientListeners(this.#client);
    this.#clientListeners.reportOutages("commands", this.#logger);
    new ClientListeners(this.#subscriber.connection).reportOutages("pub/sub", this.#logger);
  }

  /** How many kept signals the count bound dropped (as seen by this node). */
  get droppedOfflineSignals(): number {
    return this.#relay.droppedOfflineSignals;
  }

  /**
   * Joins: subscribes to the channel and starts the heartbeat.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (the subscriber keeps
   *   trying and subscribes when it connects).
   */
  async join(node: ClusterNode): Promise<void> {
    this.#node = node;
    const beat = () => this.#beat().catch(() => {});
    this.#heartbeat = setInterval(beat, Math.max(1, Math.floor(this.#nodeTtl / 3)));
    // A Redis that restarted empty has forgotten this node: tell it again at once.
    this.#clientListeners.on("ready", () => {
      if (this.#node !== null) void beat();
    });
    await Promise.all([
      this.#beat(),
      this.#subscriber.subscribe({
        message: (bytes) => this.#receive(bytes),
        missed: () => this.#missed(),
      }),
    ]);
  }

  /**
   * Asks the other nodes to deliver; a session signal nobody holds is kept. What a node
   * publishes without awaiting in between goes to Redis as one command (up to `batchSize`
   * messages or about 1 MiB), in order. A session signal that Redis refuses (its session's key
   * under the prefix holds another type, Redis has no memory left to keep it) rejects with
   * Redis's `ReplyError` and the rest of its batch still goes; when the whole command fails
   * (Redis unreachable), each message rejects. A close of a session that fails is also
   * published again at each heartbeat that reaches Redis until it goes through (up to 10 000
   * closes kept): another node must not keep serving a session that is gone.
   */
  publish(message: ClusterMessage): Promise<void> {
    const sent = this.#relay.publish(message);
    if (message.kind !== "close-session") return sent;
    const closes = this.#unsentCloses;
    return sent.then(() => closes.published(message.key), (error: unknown) => {
      if (this.#node !== null) closes.failed(message.key);
      throw error;
    });
  }

  /**
   * Takes one of the session's `max` slots across the cluster (0: unlimited). When it fails,
   * the node writes its true count of the session's slots at a later heartbeat.
   */
  acquireSession(key: string, max: number): Promise<boolean> {
    this.#relay.flush();
    return this.#slots.acquire(key, max);
  }

  /**
   * Gives back one of this node's slots of the session; resolves to how many connections of live
   * nodes hold it after that. When it fails, the node writes its true count at a later
   * heartbeat, and reports the session to `ClusterNode.released` if no node holds it then.
   */
  async releaseSession(key: string): Promise<number> {
    this.#relay.flush();
    return await this.#slots.release(key);
  }

  /**
   * As {@link RedisCluster.releaseSession}, and when no live node holds the session after it,
   * keeps `signals` after those kept for it in the same step (none in between).
   */
  releaseSessionKeeping(key: string, signals: readonly Uint8Array[]): Promise<number> {
    return this.releaseSessionReturning(key, [], signals);
  }

  /**
   * As {@link RedisCluster.releaseSession}, and in the same step gives back what a restore that
   * held the slot did not deliver: `taken` (signals it took of those kept) published when a
   * live node holds the session after it (this node's own holders get them here), else kept
   * ahead of those kept since, and `held` kept after those when nobody holds it.
   */
  async releaseSessionReturning(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): Promise<number> {
    this.#relay.flush();
    const kept = this.#relay.keptWithRelease(key, held, taken);
    if (kept === undefined) return await this.#slots.release(key);
    const { left, dropped } = await this.#slots.releaseKeeping(key, kept);
    this.#relay.countDropped(dropped);
    // Redis does not bring this node its own messages: its holders get them here.
    if (left > 0) {
      for (const signal of taken) this.#deliver({ kind: "signal-session", key, signal });
    }
    return left;
  }

  /** How many connections of live nodes hold the session. */
  async sessionConnectionCount(key: string): Promise<number> {
    this.#relay.flush();
    const count = await this.#commands.run("session count", countHoldersScript, [
      this.#commands.holdersKey(key),
    ], [
      this.#commands.nodePrefix,
    ]);
    return typeof count === "number" ? count : 0;
  }

  /**
   * The server's session manager heard that nobody holds the session: the record of this node's
   * release goes (else a sweep reports it again, which does no harm).
   */
  async sessionReleased(key: string): Promise<void> {
    await this.#slots.reported(key).catch(() => {});
  }

  /** Removes and returns the signals kept for the session, oldest first, without stale ones. */
  takeOfflineSignals(key: string): Promise<Uint8Array[]> {
    return this.#relay.takeOfflineSignals(key);
  }

  /**
   * Signals `taken` but not delivered: published if a node holds the session (this one's
   * holders included; the `held` ones never), else kept first, the `held` ones after them.
   */
  returnUndeliveredSignals(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): Promise<void> {
    return this.#giveBack(key, taken, held);
  }

  /**
   * Leaves: stops the heartbeat, removes this node's key (its slots stop counting at once)
   * and closes the pub/sub connection (and the command one, when made from a URL).
   */
  async leave(): Promise<void> {
    this.#relay.flush();
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#node = null;
    if (this.#client.status === "ready") {
      // Takes whose reply was lost: what they took is kept again (nobody here holds a session).
      await this.#relay.recoverLostTakes((key, signals, takeKey) =>
        this.#giveBack(key, signals, [], takeKey)
      );
      await this.#commands.leave(this.#instanceId).catch(() => {});
    }
    this.#subscriber.close();
    // An application's client outlives the node: it keeps none of the node's listeners.
    this.#clientListeners.removeAll();
    if (this.#ownsClient) {
      // Its own connection may fail while it closes (EPIPE): nothing to report then.
      this.#client.on("error", () => {});
      if (this.#client.status === "ready") {
        await this.#commands.call("closing", () => this.#client.quit()).catch(() => {});
      }
      this.#client.disconnect();
    }
  }

  /** As `returnUndeliveredSignals`; `takeKey`: a lost take's key, deleted in the same step. */
  async #giveBack(
    key: string,
    signals: readonly Uint8Array[],
    held: readonly Uint8Array[],
    takeKey?: string,
  ): Promise<void> {
    if (!await this.#relay.returnOfflineSignals(key, signals, held, takeKey)) return;
    // Redis does not bring this node its own messages: its holders get them here.
    for (const signal of signals) this.#deliver({ kind: "signal-session", key, signal });
  }

  #missed(): void {
    try {
      this.#node?.missed?.();
    } catch (error) {
      this.#logger.error("catching up after a cut of the cluster link failed", error);
    }
  }

  #receive(bytes: Uint8Array): void {
    const received = decodeClusterMessages(bytes);
    if (received === null || received.from === this.#instanceId) return;
    for (const message of received.messages) this.#deliver(message);
  }

  #deliver(message: ClusterMessage): void {
    if (this.#node === null) return;
    try {
      this.#node.deliver(message);
    } catch (error) {
      this.#logger.error("delivering a cluster message failed", error);
    }
  }

  /**
   * Renews this node's heartbeat key. A key that was gone (expired during a cut, or Redis
   * restarted empty) means Redis forgot the node's slots: they are written again, as are those
   * of sessions whose last step failed, and (a part per beat) 0 for those Redis records this
   * node holds but it does not. Pings the pub/sub connection (reset when it does not answer),
   * publishes closes that failed again, gives back kept signals of takes whose reply was lost,
   * and sweeps nodes that died without leaving.
   */
  async #beat(): Promise<void> {
    // Also while the command link is down: the two connections may fail apart.
    void this.#subscriber.check();
    const value = String(++this.#beats);
    const previous = await this.#commands.run("heartbeat", heartbeatScript, [
      this.#nodeKey,
      this.#commands.nodesKey,
    ], [this.#instanceId, value, this.#nodeTtl, this.#seenFresh ?? ""]);
    // Forgotten: this beat found no key, or an earlier one created it (its reply lost: it
    // timed out here, or came after a cut).
    const createdUnseen = typeof previous === "string" && previous.startsWith("fresh:") &&
      previous !== this.#seenFresh;
    if ((previous === null && this.#beaten) || createdUnseen) this.#slots.forgotten();
    if (previous === null) this.#seenFresh = `fresh:${value}`;
    else if (createdUnseen) this.#seenFresh = previous as string;
    this.#beaten = true;
    if (this.#unsentCloses.size > 0) {
      void this.#unsentCloses.publishAgain((key) =>
        this.#relay.publish({ kind: "close-session", key })
      );
    }
    await this.#slots.scanRecord().catch(() => {});
    if (this.#slots.uncertain > 0) {
      const { idle, heldAgain } = await this.#slots.writeUncertain();
      void reportSessions(this.#node, this.#logger, "released", idle);
      void reportSessions(this.#node, this.#logger, "held", heldAgain);
    }
    // Kept signals that a take whose reply was lost moved: given back (once the counts of
    // sessions whose steps failed are right), not lost.
    await this.#relay.recoverLostTakes((key, signals, takeKey) =>
      this.#giveBack(key, signals, [], takeKey)
    );
    // The heartbeat stands even if the sweep fails: the next beat sweeps again.
    await sweepDeadNodes(this.#commands, this.#slots, this.#node, this.#logger, this.keyPrefix);
  }

  get #nodeKey(): string {
    return `${this.#commands.nodePrefix}${this.#instanceId}`;
  }
}
