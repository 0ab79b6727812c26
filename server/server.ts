/**
 * The portable WebWire v2 server core. It knows nothing of Deno, Bun or Node: a runtime adapter
 * asks it whether to upgrade an HTTP request ({@link Server.prepareUpgrade}), hands it each
 * accepted socket ({@link Server.accept}) and forwards the socket's events.
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 * const server = new Server({ onRequest: (request) => request.payload });
 * console.assert(server.connectionCount === 0);
 * ```
 * @module
 */

import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import type { Logger } from "../protocol/logger.ts";
import { createTracer, type Tracer } from "../protocol/trace.ts";
import type { Payload } from "../protocol/payload.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { DefaultSessionKeyGenerator } from "../session/session_key.ts";
import type { SessionKeyGenerator, SessionManager } from "../session/session_manager.ts";
import { CloseCode } from "./close_codes.ts";
import type { Connection } from "./connection.ts";
import { ClusterLink } from "./cluster_link.ts";
import type { SessionLifecycle } from "./connection_session.ts";
import { ConnectionState } from "./connection_state.ts";
import type { ServerContext } from "./server_context.ts";
import { OfflineSignals } from "./offline_signals.ts";
import { resolveLimits, type ServerLimits, type ServerOptions } from "./options.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";
import { SessionExpiryClock } from "./session_expiry.ts";
import { serverSessionLifecycle } from "./session_lifecycle.ts";
import { SessionRegistry } from "./session_registry.ts";
import { ServerPush, signalBytes } from "./server_push.ts";
import type { BroadcastOptions, SignalOptions } from "./signal_options.ts";
import { checkTopicName } from "./topic_name.ts";
import { TopicRegistry } from "./topic_registry.ts";
import type {
  ConnectionOptions,
  PeerInfo,
  TransportEvents,
  TransportSocket,
  UpgradeDecision,
  UpgradeRequestHead,
} from "./transport.ts";

/** The options of a connection that `beforeUpgrade` gave none: one object for all of them. */
const noOptions: ConnectionOptions = Object.freeze({});

/**
 * A WebWire server: hooks, sessions, limits and the set of open connections.
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 * import { RequestError } from "../protocol/request_error.ts";
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
  readonly #limits: ServerLimits;
  readonly #sessions: SessionRegistry<ConnectionState>;
  readonly #sessionManager: SessionManager;
  readonly #keyGenerator: SessionKeyGenerator;
  readonly #logger: Logger;
  readonly #tracer: Tracer | undefined;
  readonly #violationLog: RateLimitedLog;
  readonly #acceptConf: Uint8Array;
  readonly #connections = new Set<ConnectionState>();
  /** Checks every connection's read timeout while there are connections. */
  #readTimeoutTimer: ReturnType<typeof setInterval> | undefined;
  /** Sockets sent their close frame and not yet closed: shutdown waits for them. */
  readonly #closingSockets = new Set<Promise<void>>();
  readonly #topics = new TopicRegistry<ConnectionState>();
  readonly #offline: OfflineSignals | null;
  readonly #expiry: SessionExpiryClock;
  readonly #cluster: ClusterLink;
  readonly #push: ServerPush;
  readonly #context: ServerContext;
  #shuttingDown = false;
  #shutdown: Promise<void> | undefined;

  /**
   * Creates a server. See {@link ServerOptions} for the hooks and defaults.
   *
   * @throws {RangeError} for out-of-range limits or a sub-protocol that is not printable ASCII.
   */
  constructor(options: ServerOptions = {}) {
    this.#hooks = options;
    this.#limits = resolveLimits(options);
    // In a cluster the cluster counts a session's connections on every node.
    this.#sessions = new SessionRegistry(
      options.cluster === undefined ? this.#limits.maxSessionConnections : 0,
    );
    this.#sessionManager = options.sessionManager ?? new FileSessionManager({
      directory: options.sessionDirectory ?? ".webwire-sessions",
      // Keys of a custom generator need not look like default keys; the file manager's own
      // file-name rule still keeps every key inside the directory.
      ...(options.sessionKeyGenerator !== undefined ? { isValidKey: () => true } : {}),
    });
    this.#keyGenerator = options.sessionKeyGenerator ?? new DefaultSessionKeyGenerator();
    this.#logger = options.logger ?? console;
    this.#tracer = createTracer("server", options.trace, this.#logger);
    this.#violationLog = new RateLimitedLog(this.#logger, violationLogLimit);
    this.#acceptConf = encodeAcceptConf({
      readTimeoutMs: this.#limits.readTimeout,
      messageBufferSize: this.#limits.messageBufferSize,
      subProtocol: options.subProtocol ?? "",
    });
    this.#offline = options.offlineSignals === false
      ? null
      : new OfflineSignals(options.offlineSignals ?? {}, (key, reason) => {
        try {
          this.#hooks.onOfflineSignalDropped?.(key, reason);
        } catch (error) {
          this.#logger.error("onOfflineSignalDropped hook failed", error);
        }
      });
    this.#expiry = new SessionExpiryClock(
      options,
      this.#sessionManager,
      (key) => void this.closeSession(key).catch((error) => this.#logger.error(error)),
      this.#logger,
    );
    this.#cluster = new ClusterLink(options.cluster ?? null, this.#logger, options.onClusterError);
    const isShuttingDown = () => this.#shuttingDown;
    this.#context = {
      hooks: this.#hooks,
      limits: this.#limits,
      sessions: this.#sessions,
      topics: this.#topics,
      sessionLifecycle: serverSessionLifecycle({
        sessions: this.#sessions,
        manager: this.#sessionManager,
        expiry: this.#expiry,
        offline: this.#offline,
        cluster: this.#cluster,
        maxSessionConnections: this.#limits.maxSessionConnections,
        logger: this.#logger,
      }),
      sessionManager: this.#sessionManager,
      keyGenerator: this.#keyGenerator,
      logger: this.#logger,
      tracer: this.#tracer,
      violationLog: this.#violationLog,
      get shuttingDown() {
        return isShuttingDown();
      },
      removeConnection: (state) => void this.#connections.delete(state),
      socketClosing: (gone) => {
        this.#closingSockets.add(gone);
        gone.then(() => this.#closingSockets.delete(gone));
      },
    };
    this.#push = new ServerPush({
      connections: this.#connections,
      topics: this.#topics,
      sessions: this.#sessions,
      offline: this.#offline,
      cluster: this.#cluster,
      sessionsEnabled: this.#limits.sessionsEnabled,
      logger: this.#logger,
    });
    this.#cluster.join({ deliver: (message) => this.#push.deliver(message) });
  }

  /**
   * Resolves once the server has joined its cluster (at once without one). Pushes from other
   * nodes reach this server's connections from then on. Never rejects: a failure is logged.
   */
  get clusterJoined(): Promise<void> {
    return this.#cluster.joined;
  }

  /** How many pushes could not be relayed to the other nodes of the cluster. */
  get clusterErrors(): number {
    return this.#cluster.failures;
  }

  /**
   * How many connections hold the session on every node of the cluster together (on this
   * server alone without a cluster; `sessionConnections` lists this server's).
   */
  async clusterSessionConnectionCount(key: string): Promise<number> {
    const cluster = this.#cluster.cluster;
    if (cluster === null) return this.#sessions.holders(key).size;
    return await cluster.sessionConnectionCount(key);
  }

  /** The settings in force, defaults filled in (read timeout, buffer size, ...). */
  get limits(): ServerLimits {
    return this.#limits;
  }

  /** The accept-conf message every connection receives first. */
  get acceptConf(): Uint8Array {
    return this.#acceptConf.slice();
  }

  /** Whether {@link Server.shutdown} was called. */
  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** How many connections are open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** How many sessions at least one open connection holds. */
  get activeSessionsCount(): number {
    return this.#sessions.activeSessions;
  }

  /** The open connections that hold the session with this key. */
  sessionConnections(key: string): Connection[] {
    return this.#sessions.connections(key).map((state) => state.connection);
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
    return Array.from(this.#topics.subscribers(topic), (state) => state.connection);
  }

  /**
   * The open connections (those closing gracefully included), as a snapshot in the order they
   * were accepted.
   *
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server();
   * for (const connection of server.connections()) console.log(connection.remoteAddress);
   * ```
   */
  connections(): Connection[] {
    return Array.from(this.#connections, (state) => state.connection);
  }

  /** How many signals kept for offline sessions were dropped because a bound was passed. */
  get droppedOfflineSignals(): number {
    return this.#offline?.dropped ?? 0;
  }

  /**
   * Sends one server signal to every open connection, or to those `filter` accepts. The
   * signal is encoded once and the same bytes go to every socket. A slow reader does not hold
   * up the others: like `connection.signal`, a send that leaves more than `maxSendBuffer`
   * bytes queued closes that connection (1008, `slow-reader`).
   *
   * @returns how many connections the signal was sent to.
   * @throws {RangeError} for a bad name, or neither name nor payload.
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
    return this.#push.broadcast(signalBytes(name, payload, options.encoding), options.filter);
  }

  /**
   * Sends one server signal to every connection subscribed to `topic`
   * (`connection.subscribe`), encoded once, slow readers handled as by {@link broadcast}.
   *
   * @returns how many connections the signal was sent to (0 for a topic nobody subscribed to).
   * @throws {RangeError} for a bad topic name, a bad signal name, or neither name nor payload.
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
    options: SignalOptions = {},
  ): number {
    checkTopicName(topic);
    return this.#push.publish(topic, signalBytes(name, payload, options.encoding));
  }

  /**
   * Sends one server signal to every connection holding the session `key`. When none holds it,
   * the signal is kept (within the `offlineSignals` bounds) and sent, in order, right after the
   * restore reply to the first connection that restores the session; kept signals are
   * forgotten when the session is closed, expires, or a restore finds it missing.
   *
   * @returns how many connections the signal was sent to now (0 when it was kept).
   * @throws {RangeError} for a bad name, or neither name nor payload.
   * @example
   * ```ts
   * import { Server } from "./server.ts";
   * const server = new Server();
   * // Reaches every tab of the user's session, or waits for the session to come back.
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
    return this.#push.signalSession(key, signalBytes(name, payload, options.encoding));
  }

  /**
   * Closes a session on every connection holding it: each gets the session-closed
   * notification, and the session manager forgets it (also when no connection holds it).
   * Resolves to the number of connections that held it.
   */
  async closeSession(key: string): Promise<number> {
    this.#cluster.relay({ kind: "close-session", key });
    return await this.#closeSessionLocally(key);
  }

  async #closeSessionLocally(key: string): Promise<number> {
    const states = this.#sessions.connections(key);
    if (states.length === 0) {
      this.#lifecycle.destroyed(key);
      await this.#sessionManager.onSessionClosed(key);
      return 0;
    }
    for (const state of states) await state.closeSession();
    return states.length;
  }

  /**
   * Decides what to do with an HTTP request that reached the WebWire endpoint: answer an
   * OPTIONS request (`onOptions`), refuse during shutdown (503) or when it is no WebSocket
   * upgrade (426), ask `beforeUpgrade`, or accept with the connection's options. Adapters on
   * runtimes without a WHATWG `Request` pass an {@link UpgradeRequestHead} instead, so that
   * the `Request` is built only when a hook needs it.
   */
  async prepareUpgrade(request: Request | UpgradeRequestHead): Promise<UpgradeDecision> {
    const full = () => request instanceof Request ? request : request.toRequest();
    if (request.method === "OPTIONS") {
      const response = this.#hooks.onOptions !== undefined
        ? await this.#hooks.onOptions(full())
        : new Response(null, { status: 204 });
      return { accept: false, response };
    }
    if (this.#shuttingDown) return { accept: false, response: unavailable() };
    const upgrade = request instanceof Request
      ? request.headers.get("upgrade")
      : request.header("upgrade");
    if (upgrade?.toLowerCase() !== "websocket") {
      return {
        accept: false,
        response: new Response("expected a WebSocket upgrade\n", {
          status: 426,
          headers: { upgrade: "websocket" },
        }),
      };
    }
    let options: ConnectionOptions = noOptions;
    if (this.#hooks.beforeUpgrade !== undefined) {
      const decision = await this.#hooks.beforeUpgrade(full());
      if (decision instanceof Response) return { accept: false, response: decision };
      if (decision) options = decision;
    }
    if (this.#shuttingDown) return { accept: false, response: unavailable() };
    return { accept: true, options };
  }

  /**
   * Takes over an upgraded socket: sends accept-conf, calls `onClientConnected` and returns
   * the handlers the adapter must call for the socket's events. During shutdown the socket is
   * closed at once (code 1001).
   */
  accept(
    socket: TransportSocket,
    options: ConnectionOptions = {},
    peer: PeerInfo = { remoteAddress: "" },
  ): TransportEvents {
    if (this.#shuttingDown) {
      socket.close(CloseCode.GoingAway, "server shutting down");
      return { message: () => {}, closed: () => {}, drained: () => {} };
    }
    const state = new ConnectionState(this.#context, socket, options, peer.remoteAddress);
    this.#connections.add(state);
    this.#watchReadTimeouts();
    if (this.#tracer !== undefined) this.#tracer.sent(state.tracePeer, this.#acceptConf);
    socket.send(this.#acceptConf);
    try {
      this.#hooks.onClientConnected?.(state.connection);
    } catch (error) {
      this.#logger.error("onClientConnected hook failed", error);
    }
    return state;
  }

  /**
   * Shuts down gracefully: new upgrades get 503, new requests the shutdown reply, new signals
   * are dropped; every running handler finishes and its reply is sent; then every connection
   * closes (code 1001). With `timeout` (ms), connections whose handlers are still running by
   * then are closed anyway (those handlers' replies are lost; they see their abort signal).
   * Resolves once every socket has closed, or was dropped at the `closeTimeout` after its close
   * frame. Calling it again returns the same promise.
   */
  shutdown(options: { timeout?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#shutDown(options.timeout);
    return this.#shutdown;
  }

  /**
   * One timer for all connections, not one each (a timer costs more memory than the rest of an
   * idle connection on some runtimes): a silent connection is closed between `readTimeout` and
   * a quarter of it (at most 1 s) later.
   */
  #watchReadTimeouts(): void {
    if (this.#readTimeoutTimer !== undefined) return;
    const tick = Math.min(1000, Math.floor(this.#limits.readTimeout / 4));
    this.#readTimeoutTimer = setInterval(() => {
      if (this.#connections.size === 0) return this.#stopReadTimeouts();
      const now = Date.now();
      for (const state of this.#connections) state.checkReadTimeout(now);
    }, tick);
  }

  #stopReadTimeouts(): void {
    clearInterval(this.#readTimeoutTimer);
    this.#readTimeoutTimer = undefined;
  }

  get #lifecycle(): SessionLifecycle {
    return this.#context.sessionLifecycle;
  }

  async #shutDown(timeout: number | undefined): Promise<void> {
    this.#shuttingDown = true;
    this.#expiry.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = timeout === undefined
      ? undefined
      : new Promise<void>((resolve) => timer = setTimeout(resolve, timeout));
    try {
      await Promise.all(
        [...this.#connections].map((state) =>
          state.closeGracefully("shutdown", CloseCode.GoingAway, "server shutting down", deadline)
        ),
      );
    } finally {
      clearTimeout(timer);
    }
    // Gone at the latest `closeTimeout` after their close frames: the HTTP server that stops
    // next finds no WebSocket to cut short.
    await Promise.all(this.#closingSockets);
    this.#stopReadTimeouts();
    this.#violationLog.flush();
    await this.#cluster.leave();
  }
}

/**
 * Protocol violations written to the logger: a hostile client causes them at will, and the
 * `onProtocolViolation` hook sees every one.
 */
const violationLogLimit = { max: 10, windowMs: 10_000, what: "protocol violations" };

function unavailable(): Response {
  return new Response("server shutting down\n", { status: 503 });
}
