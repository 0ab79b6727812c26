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
import { FileSessionManager } from "../session/file_session_manager.ts";
import { DefaultSessionKeyGenerator } from "../session/session_key.ts";
import type { SessionKeyGenerator, SessionManager } from "../session/session_manager.ts";
import { CloseCode } from "./close_codes.ts";
import type { Connection } from "./connection.ts";
import { ConnectionState, type ServerContext } from "./connection_state.ts";
import { resolveLimits, type ServerLimits, type ServerOptions } from "./options.ts";
import { SessionRegistry } from "./session_registry.ts";
import type {
  ConnectionOptions,
  PeerInfo,
  TransportEvents,
  TransportSocket,
  UpgradeDecision,
} from "./transport.ts";

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
  readonly #acceptConf: Uint8Array;
  readonly #connections = new Set<ConnectionState>();
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
    this.#sessions = new SessionRegistry(this.#limits.maxSessionConnections);
    this.#sessionManager = options.sessionManager ?? new FileSessionManager({
      directory: options.sessionDirectory ?? ".webwire-sessions",
      // Keys of a custom generator need not look like default keys; the file manager's own
      // file-name rule still keeps every key inside the directory.
      ...(options.sessionKeyGenerator !== undefined ? { isValidKey: () => true } : {}),
    });
    this.#keyGenerator = options.sessionKeyGenerator ?? new DefaultSessionKeyGenerator();
    this.#logger = options.logger ?? console;
    this.#acceptConf = encodeAcceptConf({
      readTimeoutMs: this.#limits.readTimeout,
      messageBufferSize: this.#limits.messageBufferSize,
      subProtocol: options.subProtocol ?? "",
    });
    const isShuttingDown = () => this.#shuttingDown;
    this.#context = {
      hooks: this.#hooks,
      limits: this.#limits,
      sessions: this.#sessions,
      sessionManager: this.#sessionManager,
      keyGenerator: this.#keyGenerator,
      logger: this.#logger,
      get shuttingDown() {
        return isShuttingDown();
      },
      removeConnection: (state) => void this.#connections.delete(state),
    };
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
   * Closes a session on every connection holding it: each gets the session-closed
   * notification, and the session manager forgets it. Resolves to the number of connections
   * that held it.
   */
  async closeSession(key: string): Promise<number> {
    const states = this.#sessions.connections(key);
    for (const state of states) await state.closeSession();
    return states.length;
  }

  /**
   * Decides what to do with an HTTP request that reached the WebWire endpoint: answer an
   * OPTIONS request (`onOptions`), refuse during shutdown (503) or when it is no WebSocket
   * upgrade (426), ask `beforeUpgrade`, or accept with the connection's options.
   */
  async prepareUpgrade(request: Request): Promise<UpgradeDecision> {
    if (request.method === "OPTIONS") {
      const response = this.#hooks.onOptions !== undefined
        ? await this.#hooks.onOptions(request)
        : new Response(null, { status: 204 });
      return { accept: false, response };
    }
    if (this.#shuttingDown) return { accept: false, response: unavailable() };
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return {
        accept: false,
        response: new Response("expected a WebSocket upgrade\n", {
          status: 426,
          headers: { upgrade: "websocket" },
        }),
      };
    }
    let options: ConnectionOptions = {};
    if (this.#hooks.beforeUpgrade !== undefined) {
      const decision = await this.#hooks.beforeUpgrade(request);
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
   * Calling it again returns the same promise.
   */
  shutdown(options: { timeout?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#shutDown(options.timeout);
    return this.#shutdown;
  }

  async #shutDown(timeout: number | undefined): Promise<void> {
    this.#shuttingDown = true;
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
  }
}

function unavailable(): Response {
  return new Response("server shutting down\n", { status: 503 });
}
