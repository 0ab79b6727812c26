/**
 * What a cluster node sends to the others over Redis, and the signals kept for sessions that
 * no node holds. Internal to `RedisCluster`.
 *
 * - What the node publishes in one synchronous run of code goes to Redis as one command, in
 *   order (`ClusterOutbox`: up to `batchSize` messages, default 256, or 1 MiB): one `PUBLISH`
 *   of a batch when it holds only pushes, else one script that decides for each session
 *   signal whether to publish or keep it (`relayBatchScript`). A lone message goes as before
 *   batches: one `PUBLISH`, one script for a session signal, one transaction for a close.
 * - A kept signal is stored as the time it was sent (8 bytes, ms, big-endian) and its bytes;
 *   {@link ClusterRelay.takeOfflineSignals} hands them over oldest first, without stale ones.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { encodeSignal } from "../protocol/encode_payload_message.ts";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { ClusterRelay } from "./cluster_relay.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const client = new Redis(redis.url);
 * const commands = new ClusterCommands(client, "t:", 2000);
 * const relay = new ClusterRelay(commands, "n1", { maxCount: 16, maxAge: 60_000 }, 256);
 * // No node holds session "k": both signals are kept, by one script call.
 * const signal = (text: string) => encodeSignal({ name: "mail", payload: text });
 * await Promise.all(["1", "2"].map((text) =>
 *   relay.publish({ kind: "signal-session", key: "k", signal: signal(text) })
 * ));
 * console.assert((await relay.takeOfflineSignals("k")).length === 2);
 * await client.quit();
 * await redis.stop();
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import { ReplyError } from "ioredis";
import type { ClusterMessage } from "../server/cluster.ts";
import type { ClusterCommands } from "./cluster_commands.ts";
import type { KeptWithRelease } from "./cluster_slots.ts";
import { keptEntry, keptSignals } from "./kept_entries.ts";
import { LostTakes } from "./lost_takes.ts";
import { batchHeader, encodeBatchEntry, loneMessage } from "./cluster_message.ts";
import { ClusterOutbox, defaultOutboxLimits, type ItemFailures } from "./cluster_outbox.ts";
import {
  relayBatchScript,
  returnOfflineScript,
  signalSessionScript,
  takeOfflineScript,
} from "./cluster_scripts.ts";

/**
 * Bounds of the signals kept for a session that no node holds (`maxCount` 0 keeps none).
 *
 * @example
 * ```ts
 * import type { OfflineBounds } from "./cluster_relay.ts";
 * const bounds: OfflineBounds = { maxCount: 256, maxAge: 300_000 };
 * console.assert(bounds.maxAge === 300_000);
 * ```
 */
export interface OfflineBounds {
  /** Signals kept per session at most; older ones are dropped. */
  readonly maxCount: number;
  /** Milliseconds a kept signal stays usable. */
  readonly maxAge: number;
}

/** A message on its way to Redis, with its entry of a batch. */
interface Outgoing {
  readonly message: ClusterMessage;
  readonly entry: Uint8Array;
}

/**
 * The sending side of a node; see the module documentation.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { ClusterRelay } from "./cluster_relay.ts";
 * const client = new Redis({ lazyConnect: true });
 * const commands = new ClusterCommands(client, "t:", 2000);
 * const relay = new ClusterRelay(commands, "n1", { maxCount: 0, maxAge: 1 }, 256);
 * console.assert(relay.droppedOfflineSignals === 0);
 * client.disconnect();
 * ```
 */
export class ClusterRelay {
  readonly #commands: ClusterCommands;
  readonly #channel: string;
  readonly #bounds: OfflineBounds;
  readonly #batchHeader: Buffer;
  readonly #nodeId: string;
  /** How many takes of kept signals this node made: each has a key of its own. */
  #takes = 0;
  readonly #lostTakes = new LostTakes();
  readonly #outbox: ClusterOutbox<Outgoing>;
  #droppedOfflineSignals = 0;

  /**
   * Sends for node `nodeId` on the cluster's channel (`ClusterCommands.channel`), up to `batchSize`
   * messages (and 1 MiB) per command.
   */
  constructor(
    commands: ClusterCommands,
    nodeId: string,
    bounds: OfflineBounds,
    batchSize: number,
  ) {
    this.#commands = commands;
    this.#outbox = new ClusterOutbox((batch) => this.#send(batch), {
      maxItems: batchSize,
      maxBytes: defaultOutboxLimits.maxBytes,
    });
    this.#channel = commands.channel;
    this.#bounds = bounds;
    this.#batchHeader = asBuffer(batchHeader(nodeId));
    this.#nodeId = nodeId;
  }

  /** How many kept signals the count bound dropped (as seen by this node). */
  get droppedOfflineSignals(): number {
    return this.#droppedOfflineSignals;
  }

  /**
   * Sends `message` with the others of this synchronous run of code, as one command.
   *
   * @returns rejected with a `RangeError` for a key or topic over 65 535 bytes, with Redis's
   *   `ReplyError` for a session signal it refused (the rest of the batch still goes), and with
   *   the command's error (`RedisUnavailableError` when Redis was not reached in time) for
   *   every message of a command that failed as a whole.
   */
  publish(message: ClusterMessage): Promise<void> {
    // Delivered already and nothing is kept: nothing to do.
    const delivered = message.kind === "signal-session" && message.delivered === true;
    if (delivered && this.#bounds.maxCount === 0) return Promise.resolve();
    let entry: Uint8Array;
    try {
      entry = encodeBatchEntry(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#outbox.add({ message, entry }, entry.length);
  }

  /**
   * Sends what was published so far now: a command that depends on it (a session slot taken
   * on this node, say) must reach Redis after it.
   */
  flush(): void {
    this.#outbox.flush();
  }

  /**
   * Removes and returns the signals kept for the session, oldest first, without stale ones. A
   * take whose reply does not come is noted: what it may have taken is given back at a later
   * heartbeat ({@link ClusterRelay.recoverLostTakes}).
   */
  async takeOfflineSignals(key: string): Promise<Uint8Array[]> {
    if (this.#bounds.maxCount === 0) return [];
    this.flush();
    const commands = this.#commands;
    const takeKey = commands.takeKey(`${this.#nodeId}:${++this.#takes}`);
    let entries: unknown;
    try {
      entries = await commands.run(
        "offline signals",
        takeOfflineScript,
        [
          commands.offlineKey(key),
          takeKey,
        ],
        [this.#bounds.maxAge],
        true,
      );
    } catch (error) {
      this.#lostTakes.add(key, takeKey);
      throw error;
    }
    if (!Array.isArray(entries) || entries.length === 0) return [];
    // Taken for good: the copy kept for a lost reply goes (or expires after maxAge).
    void commands.call("taken", () => commands.client.del(takeKey)).catch(() => {});
    return keptSignals(entries as Buffer[], this.#bounds.maxAge);
  }

  /**
   * Gives back what takes whose reply was lost moved (up to 500 per call): kept again when no
   * node holds the session, else handed to `deliver`.
   */
  recoverLostTakes(
    deliver: (key: string, signals: Uint8Array[], takeKey: string) => Promise<void>,
  ): Promise<void> {
    if (this.#lostTakes.size === 0) return Promise.resolve();
    return this.#lostTakes.recover(this.#commands, this.#bounds, deliver);
  }

  /**
   * Gives back signals taken for the session that a restore could not deliver, and those `held`
   * (newer: they came while it held the session's slot): the taken ones published when a live
   * node holds it (the held ones reached every holder then), else all kept again, in order, ahead
   * of what was kept since (they are older). Resolves to whether a live node holds it (this node
   * does not hear its own messages). `takeKey`: the key of a lost take they come from, deleted
   * in the same step.
   */
  async returnOfflineSignals(
    key: string,
    signals: readonly Uint8Array[],
    held: readonly Uint8Array[] = [],
    takeKey?: string,
  ): Promise<boolean> {
    if (this.#bounds.maxCount === 0 || signals.length + held.length === 0) return false;
    this.flush();
    const commands = this.#commands;
    const dropped = await commands.run("returned signals", returnOfflineScript, [
      commands.holdersKey(key),
      commands.offlineKey(key),
      ...(takeKey === undefined ? [] : [takeKey]),
    ], [
      commands.nodePrefix,
      this.#channel,
      this.#signalBatch(key, signals),
      this.#bounds.maxCount,
      this.#bounds.maxAge,
      ...[...signals, ...held].map((signal) => keptEntry(signal)),
    ]);
    if (typeof dropped === "number" && dropped > 0) this.#droppedOfflineSignals += dropped;
    return dropped === -1;
  }

  /**
   * What a release gives back in the same step for session `key`: `taken`, signals a restore
   * took of those kept and did not deliver (published when a live node holds the session after
   * the release, else kept ahead of what was kept since), and `held`, signals that reached
   * every holder when they were sent (kept after them when nobody holds it, else dropped);
   * `undefined` when there is nothing, or this node keeps no signals.
   */
  keptWithRelease(
    key: string,
    held: readonly Uint8Array[],
    taken: readonly Uint8Array[] = [],
  ): KeptWithRelease | undefined {
    if (this.#bounds.maxCount === 0 || taken.length + held.length === 0) return undefined;
    return {
      list: this.#commands.offlineKey(key),
      args: [
        this.#bounds.maxCount,
        this.#bounds.maxAge,
        this.#channel,
        this.#signalBatch(key, taken),
        taken.length,
        ...[...taken, ...held].map((signal) => keptEntry(signal)),
      ],
    };
  }

  /** One batch frame of `signal-session` messages to `key`, or `""` for none. */
  #signalBatch(key: string, signals: readonly Uint8Array[]): Buffer | "" {
    if (signals.length === 0) return "";
    const entries = signals.map((signal) =>
      asBuffer(encodeBatchEntry({ kind: "signal-session", key, signal }))
    );
    return Buffer.concat([this.#batchHeader, ...entries]);
  }

  /** Counts older kept signals that the count bound dropped in a step of another part. */
  countDropped(dropped: number): void {
    if (dropped > 0) this.#droppedOfflineSignals += dropped;
  }

  async #send(batch: Outgoing[]): Promise<ItemFailures | void> {
    if (batch.length === 1) return await this.#sendOne(batch[0]);
    const commands = this.#commands;
    const keeping = this.#bounds.maxCount > 0;
    const now = BigInt(Date.now());
    let ops = "";
    const keys: string[] = [];
    const entries: Buffer[] = [];
    for (const { message, entry } of batch) {
      entries.push(asBuffer(entry));
      if (message.kind === "signal-session" && keeping && message.keep !== false) {
        ops += message.delivered === true ? "d" : "s";
        keys.push(commands.holdersKey(message.key), commands.offlineKey(message.key));
        // The signal is the end of its entry.
        entries.push(keptEntry(entry.subarray(entry.length - message.signal.length), now));
      } else if (message.kind === "close-session") {
        ops += "c";
        keys.push(commands.offlineKey(message.key));
      } else {
        ops += "p";
      }
    }
    const operation = `batch of ${batch.length} messages`;
    if (keys.length === 0) {
      const frame = Buffer.concat([this.#batchHeader, ...entries]);
      await commands.call(operation, () => commands.client.publish(this.#channel, frame));
      return;
    }
    const reply = await commands.run(operation, relayBatchScript, keys, [
      commands.nodePrefix,
      this.#channel,
      this.#batchHeader,
      this.#bounds.maxCount,
      this.#bounds.maxAge,
      ops,
      ...entries,
    ]);
    if (!Array.isArray(reply)) return;
    const [dropped, ...refused] = reply;
    if (typeof dropped === "number" && dropped > 0) this.#droppedOfflineSignals += dropped;
    if (refused.length === 0) return;
    // Redis refused some session signals (a key of the wrong type, no memory): only they failed.
    const failures = new Map<number, Error>();
    for (let i = 0; i + 1 < refused.length; i += 2) {
      failures.set(Number(refused[i]), new ReplyError(String(refused[i + 1])));
    }
    return failures;
  }

  async #sendOne({ message, entry }: Outgoing): Promise<void> {
    const commands = this.#commands;
    const client = commands.client;
    const bytes = asBuffer(loneMessage(this.#batchHeader, entry));
    if (message.kind === "signal-session" && this.#bounds.maxCount > 0 && message.keep !== false) {
      const dropped = await commands.run("session signal", signalSessionScript, [
        commands.holdersKey(message.key),
        commands.offlineKey(message.key),
      ], [
        commands.nodePrefix,
        this.#channel,
        bytes,
        keptEntry(message.signal),
        this.#bounds.maxCount,
        this.#bounds.maxAge,
        message.delivered === true ? 1 : 0,
      ]);
      if (typeof dropped === "number" && dropped > 0) this.#droppedOfflineSignals += dropped;
      return;
    }
    if (message.kind === "close-session") {
      const offline = commands.offlineKey(message.key);
      await commands.call(
        "session close",
        () => client.multi().del(offline).publish(this.#channel, bytes).exec(),
      );
      return;
    }
    const operation = message.kind === "signal-session" ? "session signal" : message.kind;
    await commands.call(operation, () => client.publish(this.#channel, bytes));
  }
}

/** The same bytes as a `Buffer`, without a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
