/**
 * The connection object that hooks and handlers receive: talk to one client, manage its
 * session, close it.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import type { Connection } from "@webwire/webwire/server";
 * async function login(connection: Connection, user: string): Promise<void> {
 *   if (connection.session === null) await connection.createSession({ user });
 *   connection.signal("welcome", user);
 * }
 * const running = serveDeno(new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: (request) => login(request.connection, request.payload.text()),
 * }));
 * const welcome = Promise.withResolvers<string>();
 * const client = new Client(running.url, { onSignal: (s) => welcome.resolve(s.payload.text()) });
 * await client.request("login", "ada");
 * console.assert(client.session?.info?.user === "ada" && (await welcome.promise) === "ada");
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import type { PayloadEncoding } from "../protocol/message_type.ts";
import type { Payload } from "../protocol/payload.ts";
import type { SessionInfo } from "../protocol/session_json.ts";
import type { Session } from "../session/session_manager.ts";
import { applicationCloseCode } from "./close_codes.ts";

/**
 * The operations a connection delegates to the server core.
 *
 * @example
 * ```ts
 * import type { ConnectionHost } from "@webwire/webwire/server";
 * type Active = ConnectionHost["isActive"];
 * const active: Active = true;
 * console.assert(active);
 * ```
 */
export interface ConnectionHost {
  /** Whether the socket is open and not closing. */
  readonly isActive: boolean;
  /** The session the connection holds (or held when it ended). */
  readonly session: Session | null;
  /** The topics subscribed to (or when it ended). */
  readonly topics: readonly string[];
  /** Subscribes to a topic. */
  subscribe(topic: string): boolean;
  /** Unsubscribes from a topic. */
  unsubscribe(topic: string): boolean;
  /** Sends a signal. */
  signal(name: string, payload: Payload | Uint8Array | string, encoding?: PayloadEncoding): void;
  /** Creates, stores and announces a session. */
  createSession(info?: SessionInfo): Promise<Session>;
  /** Detaches the session and tells the client. */
  closeSession(): Promise<boolean>;
  /**
   * Closes after running handlers finish: new requests get the shutdown reply, the replies of
   * running handlers are sent, then the close frame with `code` and `reason` (checked by
   * {@link Connection.close}). Resolves once the close frame is out. A handler of this
   * connection must not await it (the close waits for that very handler): call
   * `void connection.close()` and return. With `timeout` (ms), it waits no longer for them.
   */
  close(code: number, reason: string, timeout?: number): Promise<void>;
  /** Resolves when the send buffer is under the high-water mark, or the connection closes. */
  whenWritable(): Promise<void>;
}

/**
 * One client's connection.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import type { Connection } from "@webwire/webwire/server";
 * function describe(connection: Connection): string {
 *   return `${connection.remoteAddress} since ${connection.creation.toISOString()}`;
 * }
 * const seen: string[] = [];
 * const server = new Server({
 *   sessionsEnabled: false,
 *   onClientConnected: (connection) => void seen.push(describe(connection)),
 * });
 * const socket = { send() {}, close() {}, terminate() {}, bufferedAmount: 0 };
 * const events = server.accept(socket, {}, { remoteAddress: "203.0.113.7:50000" });
 * console.assert(seen[0].startsWith("203.0.113.7:50000 since 20"));
 * events.closed(1000, "");
 * await server.shutdown();
 * ```
 */
export class Connection {
  readonly #host: ConnectionHost;
  /** Application data set by the `beforeUpgrade` hook. */
  readonly info: Readonly<Record<string, unknown>>;
  /** The client's address as `host:port`, or `""` when the runtime does not tell. */
  readonly remoteAddress: string;
  /** When the connection was accepted, in ms; a `Date` is made only when asked for. */
  #created: number | Date;

  /** Made by the server for each accepted socket; not for applications to call. */
  constructor(
    host: ConnectionHost,
    info: Readonly<Record<string, unknown>>,
    remoteAddress: string,
  ) {
    this.#host = host;
    this.info = info;
    this.remoteAddress = remoteAddress;
    this.#created = Date.now();
  }

  /** When the connection was accepted (the same `Date` on every read). */
  get creation(): Date {
    if (typeof this.#created === "number") this.#created = new Date(this.#created);
    return this.#created;
  }

  /** Whether the connection is open and not closing. */
  get isActive(): boolean {
    return this.#host.isActive;
  }

  /**
   * The session this connection holds, or `null`. Once the connection has ended (in
   * `onClientDisconnected` and later) it is the session the connection held when it ended, so
   * that the hook can say who left.
   */
  get session(): Session | null {
    return this.#host.session;
  }

  /**
   * The topics this connection is subscribed to, in the order it subscribed. Once the
   * connection has ended it is the topics it had then (the subscriptions themselves are gone).
   */
  get topics(): readonly string[] {
    return this.#host.topics;
  }

  /**
   * Subscribes this connection to a topic, so that `server.publish(topic, …)` reaches it.
   * Topics are a grouping on the server: the client is not told, and the wire protocol is the
   * same. Subscriptions end with the connection.
   *
   * @returns `false` when the connection was subscribed already.
   * @throws {RangeError} for a topic name that is empty, longer than 256 characters or not
   *   printable.
   * @throws {ConnectionInactiveError} when the connection is closed.
   * @example
   * ```ts
   * import { Server } from "../server.ts";
   * import { serveDeno } from "../adapters/deno.ts";
   * import { Client } from "../client.ts";
   * import type { Connection } from "./connection.ts";
   * function join(connection: Connection, room: string): void {
   *   connection.subscribe(`room:${room}`);
   * }
   * const server = new Server({
   *   sessionsEnabled: false,
   *   onRequest: (request) => join(request.connection, request.payload.text()),
   * });
   * const running = serveDeno(server);
   * const client = new Client(running.url);
   * await client.request("join", "lobby");
   * console.assert(server.publish("room:lobby", "message", "hi all") === 1);
   * await client.close();
   * await running.close();
   * ```
   */
  subscribe(topic: string): boolean {
    return this.#host.subscribe(topic);
  }

  /** Unsubscribes from a topic; `false` when the connection was not subscribed to it. */
  unsubscribe(topic: string): boolean {
    return this.#host.unsubscribe(topic);
  }

  /**
   * Sends a signal to the client. A string payload is sent as UTF-8 unless `encoding` says
   * `utf16`; bytes as binary unless told; a `Payload` in its own encoding. While the client's
   * restore of a session is being answered, it waits behind the restore's reply and the signals
   * kept for the session (lost if the connection closes first).
   *
   * @throws {ConnectionInactiveError} when the connection is closed.
   * @throws {RangeError} for a bad name or neither name nor payload.
   * @throws {TypeError} for a payload that is neither a string, a `Uint8Array` nor a `Payload`.
   */
  signal(
    name: string,
    payload: Payload | Uint8Array | string = "",
    options: { encoding?: PayloadEncoding } = {},
  ): void {
    this.#host.signal(name, payload, options.encoding);
  }

  /**
   * Creates a session with the given info, stores it through the session manager and sends
   * the client the session-created notification.
   *
   * Session changes of one connection take effect one at a time, in the order they began:
   * `createSession`, `closeSession` and the client's restore-session and close-session
   * requests. So a `createSession` during a client's restore waits for it, and fails with
   * `SessionUnavailableError` ("exists") if the restore succeeded; during a client's
   * close-session request it takes effect after it (the client hears the close reply, then
   * session-created). The client's view of the session always ends where the server's does.
   *
   * @throws {SessionUnavailableError} when sessions are disabled or the connection has one.
   * @throws {ConnectionInactiveError} when the connection is closed.
   * @throws {TypeError} when `info` cannot be JSON (a `BigInt`, a cycle); nothing is stored
   * then and the connection can create a session later. Info whose JSON is `{}` is none.
   * @throws {SessionTooLargeError} when the session-created message would count more than the
   * server's `maxSendBuffer` (its frame and, on Deno, 1 KiB per message included): sending it
   * would close the connection as a slow reader. Nothing is stored then either.
   */
  createSession(info?: SessionInfo): Promise<Session> {
    return this.#host.createSession(info);
  }

  /**
   * Detaches this connection from its session and sends it the session-closed notification.
   * The session is destroyed (the session manager's `onSessionClosed`) when this was its last
   * connection, as in the reference server. Resolves to `false` when there was no session.
   * Waits for the session changes that began before it (see {@link Connection.createSession}).
   */
  closeSession(): Promise<boolean> {
    return this.#host.closeSession();
  }

  /**
   * Resolves when the bytes queued for this client are under the server's `sendHighWaterMark`
   * (at once when they are), or once the connection closes or begins to close (a shutdown,
   * `close()`): check `isActive` before sending more. A handler that pushes many or large
   * signals awaits it between them, so that a slow reader slows the handler down instead of
   * growing the server's memory up to `maxSendBuffer`, where the connection would be closed.
   *
   * @example
   * ```ts
   * import { Server } from "@webwire/webwire/server";
   * import { serveDeno } from "@webwire/webwire/adapters/deno";
   * import { Client } from "@webwire/webwire";
   * const server = new Server({
   *   sessionsEnabled: false,
   *   onRequest: async ({ connection }) => {
   *     let sent = 0;
   *     while (sent < 100 && connection.isActive) {
   *       connection.signal("row", `row ${sent++}`);
   *       await connection.whenWritable();
   *     }
   *     return `${sent} rows`;
   *   },
   * });
   * const running = serveDeno(server);
   * const client = new Client(running.url);
   * console.assert((await client.request("rows")).text() === "100 rows");
   * await client.close();
   * await running.close();
   * ```
   */
  whenWritable(): Promise<void> {
    return this.#host.whenWritable();
  }

  /**
   * Closes the connection gracefully: new requests get the shutdown reply, new signals are
   * dropped, running handlers finish and their replies are sent, then the socket closes with
   * `code` (default 1000; else 3000 to 4999, which RFC 6455 leaves to applications) and
   * `reason` (default `"connection closed"`; cut to 123 bytes of UTF-8), which the client sees
   * in its `disconnected` event and `onClientDisconnected` in its reason. Resolves once the close
   * frame is out; a handler of this connection calls `void connection.close()` and returns (the
   * close waits for it). With `timeout` (ms), handlers still running by then do not hold the
   * close any longer (their replies are lost; they see their abort signal): give one where a
   * handler may wait long, for example on its own `signal`, which aborts only once the
   * connection has closed.
   *
   * @throws {RangeError} for any other code, or a `timeout` that is no number of 0 or more,
   * before anything is closed.
   *
   * @example
   * ```ts
   * import { Client } from "@webwire/webwire";
   * import { Server } from "@webwire/webwire/server";
   * import { serveDeno } from "@webwire/webwire/adapters/deno";
   * const server = new Server({
   *   sessionsEnabled: false,
   *   onSignal: (signal) => void signal.connection.close(4001, "banned"),
   * });
   * const running = serveDeno(server);
   * const client = new Client(running.url, { autoconnect: false });
   * await client.connect();
   * const closed = new Promise<string>((resolve) => {
   *   client.addEventListener("disconnected", (event) => {
   *     resolve(`${event.detail.code} ${event.detail.reason}`);
   *   }, { once: true });
   * });
   * client.signal("spam", "!");
   * console.assert(await closed === "4001 banned");
   * await client.close();
   * await running.close();
   * ```
   */
  close(
    code: number = 1000,
    reason = "connection closed",
    options: { timeout?: number } = {},
  ): Promise<void> {
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== "number" || !(timeout >= 0))) {
      throw new RangeError(`timeout must be a number of 0 or more, got ${timeout}`);
    }
    return this.#host.close(applicationCloseCode(code), reason, timeout);
  }
}
