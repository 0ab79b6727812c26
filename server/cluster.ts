/**
 * The port between a server and the cluster of servers it belongs to: what one server (a
 * node) needs of the others to push to every connection, to share session limits and to keep
 * signals for sessions that no node holds. A server without a cluster is a cluster of one and
 * needs none of it. The Redis implementation is `RedisCluster` in `@webwire/webwire/redis`.
 *
 * Every push is "deliver on this node" plus "ask the other nodes to do the same": the server
 * delivers locally, then hands the same encoded bytes to {@link Cluster.publish}, and each
 * other node's server gets them through {@link ClusterNode.deliver}.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import type { Cluster, ClusterMessage } from "@webwire/webwire/server";
 * const seen: ClusterMessage[] = [];
 * // A cluster of one that records what it was asked to publish.
 * const single: Cluster = {
 *   join: () => {},
 *   publish: (message) => void seen.push(message),
 *   acquireSession: () => true,
 *   releaseSession: () => {},
 *   takeOfflineSignals: () => [],
 *   sessionConnectionCount: () => 0,
 *   leave: () => {},
 * };
 * const server = new Server({ sessionsEnabled: false, cluster: single });
 * server.broadcast("news", "hello"); // delivered here, then handed to the cluster
 * console.assert(seen.length === 1 && seen[0].kind === "broadcast");
 * await server.shutdown();
 * ```
 * @module
 */

/**
 * What one node asks of the others, with the signal already encoded (a server signal message
 * of WebWire v2, sent as it is to each connection).
 *
 * - `broadcast`: to every connection.
 * - `publish`: to the subscribers of `topic`.
 * - `signal-session`: to the connections holding session `key`; when no node holds it, the
 *   cluster keeps the signal for the node that restores the session next. With `keep: false`
 *   the sending node delivered it to connections of its own (so the session is held): it is
 *   never kept, even while the cluster's records of holders are behind (the sending node was
 *   taken for dead during a cut). With `delivered: true` it reached every connection that held
 *   the session when it was first sent (a restore that gave up sends it again): it is kept if
 *   no node holds the session now, and never published.
 * - `close-session`: every connection holding session `key` gets session-closed, and signals
 *   kept for it are forgotten.
 *
 * @example
 * ```ts
 * import type { ClusterMessage } from "@webwire/webwire/server";
 * const close: ClusterMessage = { kind: "close-session", key: "the-key" };
 * console.assert(close.kind === "close-session");
 * ```
 */
export type ClusterMessage =
  | { readonly kind: "broadcast"; readonly signal: Uint8Array }
  | { readonly kind: "publish"; readonly topic: string; readonly signal: Uint8Array }
  | {
    readonly kind: "signal-session";
    readonly key: string;
    readonly signal: Uint8Array;
    readonly keep?: boolean;
    readonly delivered?: boolean;
  }
  | { readonly kind: "close-session"; readonly key: string };

/**
 * What a server offers its cluster: delivery on its own connections.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { decodeMessage, encodeSignal } from "@webwire/webwire/protocol";
 * import type { Cluster, ClusterNode } from "@webwire/webwire/server";
 * const nodes: ClusterNode[] = [];
 * const cluster: Cluster = {
 *   join: (node) => void nodes.push(node), publish() {}, acquireSession: () => true,
 *   releaseSession() {}, takeOfflineSignals: () => [], sessionConnectionCount: () => 0, leave() {},
 * };
 * const server = new Server({ sessionsEnabled: false, cluster });
 * await server.clusterJoined;
 * const sent: string[] = [];
 * const send = (bytes: Uint8Array) => void sent.push(decodeMessage(bytes).kind);
 * const events = server.accept({ send, close() {}, terminate() {}, bufferedAmount: 0 });
 * // Another node broadcast a signal: the cluster hands it to this node's connections.
 * nodes[0].deliver({ kind: "broadcast", signal: encodeSignal({ name: "news", payload: "hi" }) });
 * console.assert(sent.join() === "accept-conf,signal");
 * events.closed(1000, "");
 * await server.shutdown();
 * ```
 */
export interface ClusterNode {
  /** Delivers what another node published, on this node's connections only. */
  deliver(message: ClusterMessage): void;
  /**
   * The link to the other nodes was cut and is back: what they published meanwhile may not
   * have arrived. The server checks the sessions its connections hold against the session
   * manager and detaches those that were closed meanwhile (each client gets session-closed).
   * Pushes (broadcasts, topics, session signals) are delivered at most once and stay lost.
   */
  missed?(): void;
  /**
   * No node holds session `key` any more, as the cluster found once it could settle a slot that
   * this node failed to give back (Redis was unreachable), or once it swept a node that died
   * without leaving: if this server holds it nowhere either, the session manager hears of its
   * release (`onSessionReleased`: its idle clock). May come more than once for one session.
   * Resolves `false` when that release failed (it is reported again later, where the cluster
   * can), else `true`.
   */
  released?(key: string): boolean | Promise<boolean>;
  /**
   * This node holds session `key` again in the cluster's records, which had forgotten the node
   * for a while (a cut longer than its heartbeat's lifetime), so another node may have taken it
   * for dead and started the session's idle clock: if this server holds the session, the session
   * manager looks it up again, which holds it.
   */
  held?(key: string): void;
}

/**
 * What a server needs of a cluster. Methods may return promises; the server waits for them
 * where a client waits for an answer (creating and restoring sessions) and reports their
 * failures through its logger and the `onClusterError` hook.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import type { Cluster } from "@webwire/webwire/server";
 * // Two connections of other nodes hold session "k".
 * const holders = new Map([["k", 2]]);
 * const cluster: Cluster = {
 *   join() {}, publish() {}, releaseSession() {}, takeOfflineSignals: () => [], leave() {},
 *   acquireSession: (key, max) => max === 0 || (holders.get(key) ?? 0) < max,
 *   sessionConnectionCount: (key) => holders.get(key) ?? 0,
 * };
 * const server = new Server({ sessionManager: new MemorySessionManager(), cluster });
 * console.assert((await server.clusterSessionConnectionCount("k")) === 2);
 * await server.shutdown();
 * ```
 */
export interface Cluster {
  /**
   * Joins the cluster: from now on, what the other nodes publish reaches `node.deliver`. Call
   * `node.missed?.()` whenever the link comes back after a cut (messages may have been lost).
   */
  join(node: ClusterNode): void | Promise<void>;
  /** Asks every other node to deliver `message` (and keeps session signals nobody can take). */
  publish(message: ClusterMessage): void | Promise<void>;
  /**
   * A connection of this node is about to hold session `key`: takes one of its `max` slots
   * across the cluster (0 for unlimited). Resolves to `false` when they are all taken.
   */
  acquireSession(key: string, max: number): boolean | Promise<boolean>;
  /**
   * A connection of this node no longer holds session `key` (or never got it): frees its slot.
   * May resolve to how many connections hold the session on every node after it (as
   * {@link Cluster.sessionConnectionCount} would), which saves the server asking.
   */
  releaseSession(key: string): void | number | Promise<void | number>;
  /**
   * Optional: as {@link Cluster.releaseSession} for a restore that found the session but gave
   * up, and in the same step, when no connection of any node holds the session after it, keeps
   * `held` (signals that reached the restore while its slot counted as a holder, delivered to
   * every connection holding the session then) after the signals kept for it. Resolves to how
   * many connections hold the session on every node after it. Without it, the server releases
   * the slot and then publishes `held` as `signal-session` messages marked `delivered`: a
   * signal that another node sends in between is kept before them.
   */
  releaseSessionKeeping?(key: string, held: readonly Uint8Array[]): number | Promise<number>;
  /**
   * Optional: as {@link Cluster.releaseSessionKeeping} for a connection that dropped while its
   * restore wrote what it took and held, and in the same step gives back `taken` (signals it
   * took of those kept for the session and did not write): delivered to the session's
   * connections if a node holds it after the release, this node's own included (given to its
   * `ClusterNode.deliver`), else kept ahead of the signals kept since, `held` after them.
   * Resolves to how many connections hold the session on every node after it. Without it, the
   * server releases the slot (keeping `held` as {@link Cluster.releaseSessionKeeping} does) and
   * then gives `taken` back: a restore on another node in between finds none of them kept.
   */
  releaseSessionReturning?(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): number | Promise<number>;
  /** Removes and returns, oldest first, the signals kept for session `key`. */
  takeOfflineSignals(key: string): Uint8Array[] | Promise<Uint8Array[]>;
  /**
   * Optional: signals {@link Cluster.takeOfflineSignals} returned that a restore could not
   * deliver (its connection dropped meanwhile): delivered to the session's connections if a
   * node holds it, this node's own included (given to its `ClusterNode.deliver`: a publish
   * does not come back to the publisher), else kept again ahead of what was kept since (they
   * are older). Without this method (or {@link Cluster.returnUndeliveredSignals}), the server
   * publishes them again as `signal-session` messages.
   */
  returnOfflineSignals?(key: string, signals: readonly Uint8Array[]): void | Promise<void>;
  /**
   * Optional, preferred to {@link Cluster.returnOfflineSignals}: the same for `taken` (the
   * signals that restore took and could not deliver), and in the same step `held`, the signals
   * that reached the restore while its slot counted as a holder (newer, and delivered to every
   * connection holding the session then): kept right after `taken` when no node holds the
   * session, else dropped, never sent twice. Without it, the server publishes `held` again as
   * `signal-session` messages marked `delivered`, which are kept after what was kept meanwhile.
   */
  returnUndeliveredSignals?(
    key: string,
    taken: readonly Uint8Array[],
    held: readonly Uint8Array[],
  ): void | Promise<void>;
  /** How many connections hold session `key` on every node together. */
  sessionConnectionCount(key: string): number | Promise<number>;
  /** Leaves the cluster: frees this node's slots and stops delivering to it. */
  leave(): void | Promise<void>;
  /**
   * Optional: the session manager heard that nobody holds session `key` any more (its idle
   * clock runs), after a {@link Cluster.releaseSession} that left no holder, or the session is
   * gone (closed, or not found by a restore) and needs no notice. A cluster that records such
   * sessions until then, so that a live node reports them to {@link ClusterNode.released} if
   * this node dies or fails before telling its manager, may forget the record now. A wrapper
   * around another cluster should pass it on (else each release is reported once more).
   */
  sessionReleased?(key: string): void | Promise<void>;
}
