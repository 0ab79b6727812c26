/**
 * The portable WebWire v2 server core. It knows nothing of Deno, Bun or Node: a runtime adapter
 * asks it whether to upgrade an HTTP request ({@link Server.prepareUpgrade}), hands it each
 * accepted socket ({@link Server.accept}) and forwards the socket's events.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * const server = new Server({ onRequest: (request) => request.payload });
 * console.assert(server.connectionCount === 0);
 * ```
 * @module
 */

import type { Payload } from "../protocol/payload.ts";
import { CloseCode } from "./close_codes.ts";
import { closeLateSocket, socketsGone } from "./close_deadline.ts";
import { awaitSessionLeaves } from "./session_leaves.ts";
import type { Connection } from "./connection.ts";
import type { SessionLifecycle } from "./session_host.ts";
import type { Logger } from "../protocol/logger.ts";
import { ConnectionState } from "./connection_state.ts";
import type { ServerLimits, ServerOptions } from "./options.ts";
import { detachHolders } from "./forgotten_sessions.ts";
import { shutdownDeadline } from "./graceful_close.ts";
import { ReadTimeoutWatch } from "./read_timeout_watch.ts";
import { signalBytes } from "./server_push.ts";
import { createServerParts, flushServerLogs, type ServerParts } from "./server_parts.ts";
import type { BroadcastOptions, PublishOptions, SignalOptions } from "./signal_options.ts";
import { checkTopicName } from "./topic_name.ts";
import type {
  ConnectionOptions,
  PeerInfo,
  TransportEvents,
  TransportSocket,
  UpgradeDecision,
  UpgradeRequestHead,
} from "./transport.ts";
import { decideUpgrade } from "./upgrade_decision.ts";

/**
 * A WebWire server: hooks, sessions, limits and the set of open connections.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { RequestError } from "@webwire/webwire/protocol";
 * const server = new Server({
 *   onRequest: (request) => {
 *     if (request.name === "whoami") {
 *       const session = request.connection.session;
 *       if (session === null) throw new RequestError("NO_SESSION", "log in first");
 *       return session.key;
 *     }
 *     return request.payload;
 *   },
 * });
 * await server.shutdown();
 * ```
 */
export class Server {
  readonly #hooks: ServerOptions;
  readonly #parts: ServerParts;
  readonly #readTimeouts: ReadTimeoutWatch;
  #shuttingDown = false;
  #shutdown: Promise<void> | undefined;
  readonly #closes = new Set<Promise<number>>();

  /**
   * Creates a server. See {@link ServerOptions} for the hooks and defaults.
   *
   * @throws {RangeError} for out-of-range limits or a sub-protocol that is not printable ASCII.
   */
  constructor(options: ServerOptions = {}) {
    this.#hooks = options;
    this.#parts = createServerParts(options, {
      isShuttingDown: () => this.#shuttingDown,
      closeSession: (key) => this.closeSession(key),
    });
    this.#readTimeouts = new ReadTimeoutWatch(
      this.#parts.connections,
      this.#parts.limits.readTimeout,
    );
  }

  /**
   * Resolves once the server has joined its cluster (at once without one). Pushes from other
   * nodes reach this server's connections from then on. Never rejects: a failure is logged.
   */
  get clusterJoined(): Promise<void> {
    return this.#parts.cluster.joined;
  }

  /** How many pushes could not be relayed to the other nodes of the cluster. */
  get clusterErrors(): number {
    return this.#parts.cluster.failures;
  }

  /**
   * How many connections hold the session on every node of the cluster together (on this
   * server alone without a cluster; `sessionConnections` lists this server's).
   */
  async clusterSessionConnectionCount(key: string): Promise<number> {
    const cluster = this.#parts.cluster.cluster;
    if (cluster === null) return this.#parts.sessions.holders(key).size;
    return await cluster.sessionConnectionCount(key);
  }

  /** The settings in force, defaults filled in (read timeout, buffer size, ...). */
  get limits(): ServerLimits {
    return this.#parts.limits;
  }

  /** The accept-conf message every connection receives first. */
  get acceptConf(): Uint8Array {
    return this.#parts.acceptConf.slice();
  }

  /**
   * The logger of the server's options (default `console`): adapters log their own failures
   * (a fallback that throws) there too.
   */
  get logger(): Logger {
    return this.#parts.logger;
  }

  /** Whether {@link Server.shutdown} was called. */
  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** How many connections are open. */
  get connectionCount(): number {
    return this.#parts.connections.size;
  }

  /** How many sessions at least one open connection holds. */
  get activeSessionsCount(): number {
    return this.#parts.sessions.activeSessions;
  }

  /** The open connections that hold the session with this key. */
  sessionConnections(key: string): Connection[] {
    return this.#parts.sessions.connections(key).map((state) => state.connection);
  }

  /**
   * The connections of this server subscribed to `topic` (a snapshot; empty for a topic nobody
   * subscribed to). In a cluster, other nodes' subscribers are not listed.
   *
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server();
   * console.assert(server.topicConnections("room:lobby").length === 0);
   * ```
   */
  topicConnections(topic: string): Connection[] {
    return Array.from(this.#parts.topics.subscribers(topic), (state) => state.connection);
  }

  /**
   * The open connections (closing ones included): a snapshot, in the order they were accepted.
   *
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server();
   * for (const connection of server.connections()) console.log(connection.remoteAddress);
   * ```
   */
  connections(): Connection[] {
    return Array.from(this.#parts.connections, (state) => state.connection);
  }

  /**
   * How many signals kept for offline sessions were dropped because a bound was passed (0 in a
   * cluster: see the cluster's own count, such as `RedisCluster.droppedOfflineSignals`).
   */
  get droppedOfflineSignals(): number {
    return this.#parts.offline?.dropped ?? 0;
  }

  /**
   * Sends one server signal, encoded once, to every open connection or those `filter` accepts.
   * A slow reader does not hold up the others: like `connection.signal`, a send that leaves over
   * `maxSendBuffer` bytes queued closes that connection (1008, `slow-reader`).
   *
   * @returns how many connections the signal was sent to.
   * @throws {RangeError} for a bad name, or neither name nor payload.
   * @throws {TypeError} for a payload that is neither a string, a `Uint8Array` nor a `Payload`.
   * @throws whatever `filter` throws; every connection is asked first, so none gets the signal.
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server();
   * const sent = server.broadcast("news", JSON.stringify({ headline: "hello" }));
   * console.assert(sent === 0); // nobody is connected yet
   * ```
   */
  broadcast(
    name: string,
    payload: Payload | Uint8Array | string = "",
    options: BroadcastOptions = {},
  ): number {
    return this.#parts.push.broadcast(signalBytes(name, payload, options.encoding), options);
  }

  /**
   * Sends one server signal to every connection subscribed to `topic`
   * (`connection.subscribe`), encoded once, slow readers handled as by {@link broadcast}.
   *
   * @returns how many connections the signal was sent to (0 for a topic nobody subscribed to).
   * @throws {RangeError} for a bad topic name, a bad signal name, or neither name nor payload.
   * @throws {TypeError} for a payload that is neither a string, a `Uint8Array` nor a `Payload`.
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server({
   *   onRequest: (request) => {
   *     if (request.name === "join") request.connection.subscribe("room:" + request.payload.text());
   *   },
   * });
   * console.assert(server.publish("room:lobby", "message", "hi all") === 0);
   * ```
   */
  publish(
    topic: string,
    name: string,
    payload: Payload | Uint8Array | string = "",
    options: PublishOptions = {},
  ): number {
    checkTopicName(topic);
    return this.#parts.push.publish(topic, signalBytes(name, payload, options.encoding), options);
  }

  /**
   * Sends one server signal to every connection holding the session `key`. When none holds it,
   * it is kept (within `offlineSignals`, or a cluster's own bounds) and sent, in order, after the
   * restore reply to the first connection restoring the session; kept signals are forgotten when
   * the session is closed (its close done), expires, or a restore finds it missing.
   *
   * @returns how many connections the signal was sent to now (0 when it was kept).
   * @throws {RangeError} for a bad name, or neither name nor payload.
   * @throws {TypeError} for a payload that is neither a string, a `Uint8Array` nor a `Payload`.
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server(); // below: every tab of the session gets it, or it waits
   * server.signalSession("the-session-key", "notification", "you have mail");
   * await server.shutdown();
   * ```
   */
  signalSession(
    key: string,
    name: string,
    payload: Payload | Uint8Array | string = "",
    options: SignalOptions = {},
  ): number {
    return this.#parts.push.signalSession(key, signalBytes(name, payload, options.encoding));
  }

  /**
   * Closes a session everywhere: detaches this server's connections that still hold it once
   * their earlier session operations are done (each gets the session-closed notification; one
   * that restored another session meanwhile keeps that one), has the session manager forget it,
   * once, also when no connection held it, and then asks the other nodes of the cluster to
   * detach theirs. A client's restore of the session that is still looking it up meanwhile,
   * here or on a node that heard of the close, fails as if the session was not found. Resolves,
   * after the session manager forgot the session, to how many of this server's connections
   * were detached.
   *
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * import { MemorySessionManager } from "../session/mod.ts";
   * import { Timestamp } from "../protocol/timestamp.ts";
   * const sessionManager = new MemorySessionManager();
   * const now = Timestamp.now();
   * sessionManager.onSessionCreated({ key: "k", creation: now, lastLookup: now });
   * const server = new Server({ sessionManager });
   * console.assert((await server.closeSession("k")) === 0); // nobody held it...
   * console.assert((await sessionManager.onSessionLookup("k")) === null); // ...but it is gone
   * await server.shutdown();
   * ```
   */
  async closeSession(key: string): Promise<number> {
    // From now on, restores of the session that look it up are overtaken.
    const closed = this.#parts.sessionCloses.begin(key);
    const closing = this.#closeEverywhere(key).finally(closed);
    // Shutdown leaves the cluster only once the closes under way were relayed.
    this.#closes.add(closing);
    try {
      return await closing;
    } finally {
      this.#closes.delete(closing);
    }
  }

  async #closeEverywhere(key: string): Promise<number> {
    const detached = await detachHolders(this.#parts.sessions, key);
    await this.#lifecycle.forget(key);
    // Only now: a restore on another node that begins after hearing of it finds it forgotten.
    this.#parts.cluster.relay({ kind: "close-session", key });
    return detached;
  }

  /**
   * Decides what to do with an HTTP request that reached the WebWire endpoint: answer an
   * OPTIONS request (`onOptions`), refuse during shutdown (503) or when it is no WebSocket
   * upgrade (426), ask `beforeUpgrade`, or accept with the connection's options. Adapters on
   * runtimes without a WHATWG `Request` pass an {@link UpgradeRequestHead} instead, so that
   * the `Request` is built only when a hook needs it.
   */
  prepareUpgrade(request: Request | UpgradeRequestHead): Promise<UpgradeDecision> {
    return decideUpgrade(request, this.#hooks, this, this.#parts.logger);
  }

  /**
   * Takes over an upgraded socket: sends accept-conf, calls `onClientConnected` and returns
   * the handlers the adapter must call for the socket's events. During shutdown the socket is
   * closed at once (code 1001), and dropped `closeTimeout` later if its peer does not answer.
   */
  accept(
    socket: TransportSocket,
    options: ConnectionOptions = {},
    peer: PeerInfo = { remoteAddress: "" },
  ): TransportEvents {
    if (this.#shuttingDown) {
      return closeLateSocket(socket, this.limits.closeTimeout, this.#parts.context.socketClosing);
    }
    const { acceptConf, tracer } = this.#parts;
    const state = new ConnectionState(this.#parts.context, socket, options, peer.remoteAddress);
    this.#parts.connections.add(state);
    this.#readTimeouts.start();
    if (tracer !== undefined) tracer.sent(state.tracePeer, acceptConf);
    socket.send(acceptConf);
    const connected = this.#hooks.onClientConnected;
    if (connected) {
      this.#parts.hookFailures.call("onClientConnected", () => connected(state.connection));
    }
    return state;
  }

  /**
   * Shuts down gracefully: new upgrades get 503, new requests the shutdown reply, new signals
   * are dropped; every running handler finishes and its reply is sent; then every connection
   * closes (code 1001). With `timeout` (ms), connections whose handlers are still running by
   * then are closed anyway (those handlers' replies are lost; they see their abort signal).
   * Resolves once every socket has closed, or was dropped at the `closeTimeout` after its close
   * frame, and the sessions of the ended connections are released (their idle clocks started;
   * at most `closeTimeout`, 1 s at least, more), before a cluster node leaves its cluster.
   * Calling it again returns the same promise.
   */
  shutdown(options: { timeout?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#shutDown(options.timeout);
    return this.#shutdown;
  }

  get #lifecycle(): SessionLifecycle {
    return this.#parts.context.sessionLifecycle;
  }

  async #shutDown(timeout: number | undefined): Promise<void> {
    this.#shuttingDown = true;
    this.#parts.expiry.stop();
    this.#parts.forgottenSessions.stop();
    const { logoutRetries, releaseRetries, unusedRetries } = this.#parts;
    for (const retries of [logoutRetries, releaseRetries, unusedRetries]) retries.stop();
    const deadline = shutdownDeadline(timeout);
    const over = deadline.over;
    try {
      await Promise.all(
        [...this.#parts.connections].map((state) =>
          state.closeGracefully("shutdown", CloseCode.GoingAway, "server shutting down", over)
        ),
      );
    } finally {
      deadline.clear();
    }
    // Gone within `closeTimeout` of their close frames: the HTTP server then cuts no WebSocket.
    await socketsGone(this.#parts.closingSockets);
    this.#readTimeouts.stop();
    flushServerLogs(this.#parts);
    this.#parts.offline?.close(); // given back by the connections that ended, or kept meanwhile
    const { leavingSessions, limits, logger, forgottenSessions } = this.#parts;
    // Bounded (a session manager that never answers must not hold the shutdown for good), at
    // least a second: a closeTimeout of 0 (or a few ms, in tests) must not cut them all short.
    const limit = Math.max(limits.closeTimeout, 1000);
    const checks = new Set([forgottenSessions.idle]); // for sessions closed on other nodes
    await Promise.all([
      awaitSessionLeaves(this.#closes, limit, logger, "session closes", "not relayed to a cluster"),
      awaitSessionLeaves(checks, limit, logger, "forgotten-session checks", "harmless"),
    ]);
    // Released before the node leaves: a release cut short leaves its session with no TTL.
    await awaitSessionLeaves(leavingSessions, limit, logger);
    await socketsGone(this.#parts.closingSockets); // opened since, upgraded just before
    await this.#parts.cluster.leave();
  }
}
