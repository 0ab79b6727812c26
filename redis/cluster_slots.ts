/**
 * A node's session slots in Redis, and what it does when Redis may hold the wrong count.
 *
 * Each session has a hash of holders in Redis: connections per node. A node changes its field
 * with relative steps (take one, give one back), which go wrong in three ways: a step that
 * failed (Redis unreachable, or the reply lost: did it run?), a node forgotten by Redis (its
 * heartbeat key expired during a long cut, so scripts pruned its fields; or Redis restarted
 * empty), and a step sent again by a client library after a reconnect. So the node also counts
 * its own slots, marks a session whose step failed as uncertain, and at each heartbeat writes
 * its true count for those sessions (all of them when Redis had forgotten the node). It also
 * goes over the sessions that Redis records it holds, a part per heartbeat, and writes 0 for
 * those it does not hold: a Redis restarted from a snapshot (RDB) or a failover to a replica
 * brings back fields of an earlier time, which would count for ever. A session
 * that this leaves with no holder anywhere is reported, so that its idle clock can start; one
 * that the node holds again after Redis had forgotten it is reported too (another node may
 * have swept it as dead and started the session's idle clock).
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { ClusterSlots } from "./cluster_slots.ts";
 * const client = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
 * const slots = new ClusterSlots(new ClusterCommands(client, "doc:", 1000), "node-a");
 * console.assert(slots.held("ada") === 0 && slots.uncertain === 0);
 * client.disconnect();
 * ```
 * @module
 */

import type { Buffer } from "node:buffer";
import type { ClusterCommands } from "./cluster_commands.ts";
import { releaseKeepingScript } from "./cluster_scripts.ts";
import type { RedisScript } from "./redis_script.ts";
import {
  acquireSlotScript,
  forgetReleasedScript,
  releaseSlotScript,
  writeSlotsScript,
} from "./slot_scripts.ts";

/** Sessions whose count is written in one command, at most. */
const writeBatch = 500;
/** For how many sessions a node keeps tokens of releases not yet reported. */
const maxReleaseTokens = 10_000;
/** How many tokens of releases not yet reported a node keeps per session. */
const maxTokensPerSession = 8;
/** Members of the node's slots set checked per heartbeat, about (`SSCAN` `COUNT`). */
const scanCount = 500;

/**
 * What a write of uncertain counts found.
 *
 * @example
 * ```ts
 * import type { WrittenSlots } from "./cluster_slots.ts";
 * const written: WrittenSlots = { idle: ["ada"], heldAgain: [] };
 * console.assert(written.idle.length === 1);
 * ```
 */
export interface WrittenSlots {
  /** Sessions that no live node holds now. */
  readonly idle: string[];
  /** Sessions this node holds that Redis had forgotten it held. */
  readonly heldAgain: string[];
}

/**
 * Signals that a release gives back in the same step (see `releaseKeepingScript`).
 *
 * @example
 * ```ts
 * import type { KeptWithRelease } from "./cluster_slots.ts";
 * const kept: KeptWithRelease = {
 *   list: "webwire:offline:ada",
 *   args: [256, 300_000, "webwire:cluster", "", 0],
 * };
 * console.assert(kept.args.length === 5); // no entries: nothing to give back
 * ```
 */
export interface KeptWithRelease {
  /** The session's offline list. */
  readonly list: string;
  /**
   * Its max count, max age in ms, the cluster's channel, the batch frame of the taken signals
   * (`""` for none), how many were taken, then the offline entries (time kept and signal) of
   * the taken ones and of the held ones after them.
   */
  readonly args: readonly (number | string | Buffer)[];
}

/**
 * What {@link ClusterSlots.releaseKeeping} did.
 *
 * @example
 * ```ts
 * import type { ReleasedKeeping } from "./cluster_slots.ts";
 * const released: ReleasedKeeping = { left: 0, dropped: 0 };
 * console.assert(released.left === 0);
 * ```
 */
export interface ReleasedKeeping {
  /** Connections of live nodes left holding the session. */
  readonly left: number;
  /** Older kept signals that the count bound dropped. */
  readonly dropped: number;
}

/**
 * The slots of one node (one process) of the cluster.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClusterCommands } from "./cluster_commands.ts";
 * import { ClusterSlots } from "./cluster_slots.ts";
 * const client = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
 * const slots = new ClusterSlots(new ClusterCommands(client, "doc:", 1000), "node-a");
 * slots.forgotten(); // Redis lost the node: every count it holds is written again at the beat
 * console.assert(slots.uncertain === 0); // it holds none
 * client.disconnect();
 * ```
 */
export class ClusterSlots {
  readonly #commands: ClusterCommands;
  readonly #field: string;
  /** Slots this node holds per session: steps taken minus steps given back. */
  readonly #held = new Map<string, number>();
  /** Sessions whose count in Redis may be wrong. */
  readonly #uncertain = new Set<string>();
  /** Sessions this node held when Redis had forgotten it, until their count is written. */
  readonly #forgotten = new Set<string>();
  readonly #slotsKey: string;
  /** Steps under way per session: its count is written only once they have settled. */
  readonly #steps = new Map<string, number>();
  /** Where the scan of the slots set stands; `0` begins a new pass. */
  #cursor = "0";
  /**
   * Per session, the tokens of this node's steps that left it with no holder, oldest first, one
   * for each release notice not yet reported.
   */
  readonly #releaseTokens = new Map<string, string[]>();
  #tokens = 0;

  /** Slots of node `field` (its heartbeat key's suffix and its field in each session's hash). */
  constructor(commands: ClusterCommands, field: string) {
    this.#commands = commands;
    this.#field = field;
    this.#slotsKey = commands.slotsKey(field);
  }

  /** How many slots of session `key` this node holds. */
  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** How many sessions have a count in Redis that may be wrong. */
  get uncertain(): number {
    return this.#uncertain.size;
  }

  /**
   * Takes one of the session's `max` slots across the cluster (0: unlimited).
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (the step may have run:
   *   the session's count is written again at a later heartbeat).
   */
  async acquire(key: string, max: number): Promise<boolean> {
    const taken = await this.#step(key, acquireSlotScript, [max, key], (reply) => {
      // Counted before the step is over: a write of this session's count waits until then.
      if (reply === 1) this.#held.set(key, this.held(key) + 1);
    });
    return taken === 1;
  }

  /**
   * Gives back one of this node's slots of the session; resolves to the live holders left.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (the slot is given back
   *   here all the same, and in Redis at a later heartbeat).
   */
  async release(key: string): Promise<number> {
    const live = await this.#release(key, releaseSlotScript, [], []);
    return typeof live === "number" ? live : 0;
  }

  /**
   * As {@link ClusterSlots.release}, and gives back signals in the same step (`kept`: see
   * `releaseKeepingScript`); resolves to the live holders left and how many older kept signals
   * the count bound dropped.
   *
   * @throws {RedisUnavailableError} as {@link ClusterSlots.release} (the signals may not be
   *   kept).
   */
  async releaseKeeping(key: string, kept: KeptWithRelease): Promise<ReleasedKeeping> {
    const reply = await this.#release(key, releaseKeepingScript, [kept.list], kept.args);
    const [left, dropped] = Array.isArray(reply) ? reply : [];
    return {
      left: typeof left === "number" ? left : 0,
      dropped: typeof dropped === "number" ? dropped : 0,
    };
  }

  /**
   * This node's server heard that nobody holds the session: the record of this node's oldest
   * release not yet reported goes, unless a later step replaced it (a later release of this
   * node or another, whose own notice may yet fail: its record stays for a sweep). Notices end
   * in any order, but the record goes only once as many have ended as releases wrote it.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (a sweep reports it again).
   */
  async reported(key: string): Promise<void> {
    const tokens = this.#releaseTokens.get(key);
    const token = tokens?.shift();
    if (token === undefined) return;
    if (tokens!.length === 0) this.#releaseTokens.delete(key);
    await this.forgetReleased([key, token]);
  }

  /**
   * Removes the records of the released hash that still hold these tokens (key, token, ...).
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async forgetReleased(pairs: readonly string[]): Promise<void> {
    await this.#commands.run("released", forgetReleasedScript, [this.#commands.releasedKey], pairs);
  }

  /** A token of this node's that no other step has: `<node id>:<number>`. */
  token(): string {
    return `${this.#field}:${++this.#tokens}`;
  }

  #released(key: string, token: string): void {
    // Reports that never come (failed notices) leave theirs: the oldest go past a bound.
    const tokens = this.#releaseTokens.get(key);
    if (tokens !== undefined) {
      if (tokens.push(token) > maxTokensPerSession) tokens.shift();
      return;
    }
    if (this.#releaseTokens.size >= maxReleaseTokens) {
      this.#releaseTokens.delete(this.#releaseTokens.keys().next().value!);
    }
    this.#releaseTokens.set(key, [token]);
  }

  /**
   * Redis had forgotten this node: the count of every session it holds is written again, and a
   * new pass of {@link ClusterSlots.scanRecord} begins (a restart from a snapshot may have
   * brought back sessions it held then).
   */
  forgotten(): void {
    for (const key of [...this.#held.keys(), ...this.#steps.keys()]) {
      this.#uncertain.add(key);
      this.#forgotten.add(key);
    }
    this.#cursor = "0";
  }

  /**
   * Checks the next part (about 500) of the sessions that Redis records this node holds (its
   * `slots:<id>` set) against those it holds: one it does not hold (Redis restarted from an
   * RDB snapshot or a replica that had an older field of this node) becomes uncertain, so that
   * its count, 0, is written at {@link ClusterSlots.writeUncertain} and the session is reported
   * idle if nobody holds it. Called at each heartbeat, it goes over the whole set again and
   * again.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async scanRecord(): Promise<void> {
    const client = this.#commands.client;
    const reply = await this.#commands.call(
      "session slots scan",
      () => client.call("SSCAN", this.#slotsKey, this.#cursor, "COUNT", scanCount),
    );
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) return;
    this.#cursor = String(reply[0]);
    for (const member of reply[1]) {
      const key = String(member);
      // A step under way settles the count itself (or leaves it uncertain when it fails).
      if (!this.#held.has(key) && !this.#steps.has(key)) this.#uncertain.add(key);
    }
  }

  /**
   * Writes this node's count of the uncertain sessions whose steps have settled (up to 500).
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (they stay uncertain).
   */
  async writeUncertain(): Promise<WrittenSlots> {
    const keys: string[] = [];
    for (const key of this.#uncertain) {
      if (this.#steps.has(key)) continue;
      keys.push(key);
      if (keys.length === writeBatch) break;
    }
    const written: WrittenSlots = { idle: [], heldAgain: [] };
    if (keys.length === 0) return written;
    const counts = keys.map((key) => this.held(key));
    const token = this.token();
    const live = await this.#commands.run(
      "session slots",
      writeSlotsScript,
      [
        this.#slotsKey,
        ...keys.map((key) => this.#commands.holdersKey(key)),
        this.#commands.nodesKey,
        this.#commands.releasedKey,
      ],
      [
        this.#commands.nodePrefix,
        this.#field,
        ...keys.flatMap((key, i) => [key, counts[i]]),
        token,
      ],
    );
    keys.forEach((key, index) => {
      // A step that began meanwhile is ordered after the write: the count stands.
      this.#uncertain.delete(key);
      if (this.#forgotten.delete(key) && counts[index] > 0) written.heldAgain.push(key);
      if (Array.isArray(live) && live[index] === 0) {
        written.idle.push(key);
        this.#released(key, token);
      }
    });
    return written;
  }

  /** A release by `script`, whose reply's first number is the live holders left. */
  async #release(
    key: string,
    script: RedisScript,
    keys: readonly string[],
    args: readonly (number | string | Buffer)[],
  ): Promise<unknown> {
    const left = this.held(key) - 1;
    if (left > 0) this.#held.set(key, left);
    else this.#held.delete(key);
    const token = this.token();
    const reply = await this.#step(key, script, [key, token, ...args], () => {}, keys);
    if ((Array.isArray(reply) ? reply[0] : reply) === 0) this.#released(key, token);
    return reply;
  }

  /**
   * Runs one step of session `key`'s count and hands its reply to `done` while the step still
   * counts as under way; a failed step leaves the session uncertain.
   */
  async #step(
    key: string,
    script: RedisScript,
    args: readonly (number | string | Buffer)[],
    done: (reply: unknown) => void,
    keys: readonly string[] = [],
  ): Promise<unknown> {
    this.#steps.set(key, (this.#steps.get(key) ?? 0) + 1);
    try {
      const reply = await this.#commands.run(
        "session slot",
        script,
        // The released hash is the release's, the nodes set the acquire's.
        [
          this.#commands.holdersKey(key),
          this.#slotsKey,
          this.#commands.releasedKey,
          this.#commands.nodesKey,
          ...keys,
        ],
        [this.#commands.nodePrefix, this.#field, ...args],
      );
      done(reply);
      return reply;
    } catch (error) {
      this.#uncertain.add(key);
      throw error;
    } finally {
      const steps = this.#steps.get(key)! - 1;
      if (steps === 0) this.#steps.delete(key);
      else this.#steps.set(key, steps);
    }
  }
}
