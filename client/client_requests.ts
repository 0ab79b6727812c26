/**
 * The requests of a client on their way out: each is encoded, registered to await its reply,
 * and sent at once while connected or held until a connection is up (or refused, as the
 * client's options say). At most `maxRequestsInFlight` are sent and await their replies: the
 * others wait in order and go out as replies come, so that a burst (the requests held while
 * disconnected, say) never trips the server's flood limit. Internal to the client.
 *
 * @example
 * ```ts
 * import { ClientRequests } from "./client_requests.ts";
 * import { resolveClientOptions } from "./options.ts";
 * const requests = new ClientRequests(resolveClientOptions({ WebSocket, autoconnect: false }), {
 *   status: "disconnected",
 *   connection: null,
 *   lastFailure: undefined,
 *   startConnecting: () => {},
 * });
 * const error = await requests.request("users.get", "7", {}).catch((e: Error) => e);
 * console.assert(error instanceof Error && error.name === "DisconnectedError");
 * ```
 * @module
 */

import { MessageSlab } from "../protocol/message_slab.ts";
import type { Payload } from "../protocol/payload.ts";
import { writeRequestMessage } from "../protocol/payload_message_writer.ts";
import { RequestIdCounter, requestIdKey } from "../protocol/request_id.ts";
import { restoreTimeout } from "./client_session.ts";
import type { ClientStatus } from "./client_status.ts";
import type { Connection } from "./connection.ts";
import { closedError } from "./connection_keeper.ts";
import { DisconnectedError, NotSentError } from "./errors.ts";
import { checkTimeout, type RequestOptions, type ResolvedClientOptions } from "./options.ts";
import { type PendingOptions, PendingRequests } from "./pending_requests.ts";

/**
 * What {@link ClientRequests} reads of its client, and asks of it.
 *
 * @example
 * ```ts
 * import type { RequestHost } from "./client_requests.ts";
 * const offline: RequestHost = {
 *   status: "connecting",
 *   connection: null,
 *   lastFailure: new Error("refused"),
 *   startConnecting: () => console.log("dialing"),
 * };
 * console.assert(offline.connection === null);
 * ```
 */
export interface RequestHost {
  /** The client's status. */
  readonly status: ClientStatus;
  /** The connection while connected. */
  readonly connection: Connection | null;
  /** The error of the last failed connect attempt since the last connection. */
  readonly lastFailure: Error | undefined;
  /** Starts a connect attempt in the background (the client is disconnected). */
  startConnecting(): void;
  /** A request was sent while no other sent one awaited its reply. */
  waitingStarted?(): void;
}

/**
 * Encodes, registers and sends a client's requests.
 *
 * @example
 * ```ts
 * import { ClientRequests } from "./client_requests.ts";
 * import { resolveClientOptions } from "./options.ts";
 * let dials = 0;
 * const requests = new ClientRequests(resolveClientOptions({ WebSocket }), {
 *   status: "disconnected",
 *   connection: null,
 *   lastFailure: undefined,
 *   startConnecting: () => void dials++,
 * });
 * const reply = requests.request("users.get", "7", {});
 * console.assert(dials === 1 && requests.pending.unsent().length === 1);
 * requests.rejectQueued(new Error("no connection"));
 * console.assert((await reply.catch((e: Error) => e.message)) === "no connection");
 * ```
 */
export class ClientRequests {
  /** The requests that await their reply, sent or not. */
  readonly pending: PendingRequests;

  readonly #host: RequestHost;
  readonly #options: ResolvedClientOptions;
  readonly #ids = new RequestIdCounter();
  readonly #requestId = new Uint8Array(8);
  readonly #slab = new MessageSlab();
  readonly #defaultLimits: PendingOptions;

  /** Starts with no request. */
  constructor(options: ResolvedClientOptions, host: RequestHost) {
    this.#options = options;
    this.#host = host;
    this.#defaultLimits = { timeout: options.requestTimeout };
    this.pending = new PendingRequests(
      (timeout) => this.#unsentError(timeout),
      () => this.#refill(),
      () => host.waitingStarted?.(),
    );
  }

  /** Sends a request (see `Client.request`) and resolves with its reply's payload. */
  request(
    name: string,
    payload: Uint8Array | string | undefined,
    options: RequestOptions,
  ): Promise<Payload> {
    // The id goes through a reused array, copied into the message; the message is cut from a
    // slab, which costs far less than a new array on Deno.
    const id = this.#requestId;
    const key = this.#ids.nextInto(id);
    let bytes: Uint8Array;
    try {
      const fields = { id, name, payload, encoding: options.encoding };
      bytes = writeRequestMessage(fields, this.#slab.allocate, undefined, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(key, bytes, options);
  }

  /**
   * Sends a control request (restore or close a session) that `encode` writes for the id it
   * is given, and resolves with its reply's payload; `onReply` runs as the reply arrives
   * (`PendingOptions.onReply`).
   */
  control(
    encode: (id: Uint8Array) => Uint8Array,
    options: RequestOptions,
    onReply?: (payload: Payload) => void,
  ): Promise<Payload> {
    const id = this.#ids.next();
    return this.#send(requestIdKey(id), encode(id), options, onReply);
  }

  /**
   * Sends a control request on `connection` before the client counts as connected (the
   * session's restore on a new connection), ahead of the requests held for it. It times out
   * after {@link restoreTimeout}: the request timeout, bounded by the server's read timeout.
   */
  controlFirst(
    connection: Connection,
    encode: (id: Uint8Array) => Uint8Array,
    onReply?: (payload: Payload) => void,
  ): Promise<Payload> {
    const id = this.#ids.next();
    const limits = {
      timeout: restoreTimeout(this.#options.requestTimeout, connection.readTimeout),
      onReply,
    };
    return this.pending.addAndSend(requestIdKey(id), encode(id), limits, connection);
  }

  /**
   * Sends the requests held for a connection, oldest first, on `connection`, as many as
   * `maxRequestsInFlight` lets out now; the rest follow as replies come.
   */
  sendQueued(connection: Connection): void {
    const room = this.#options.maxRequestsInFlight - this.pending.sentCount;
    for (const request of this.pending.unsent(room)) {
      // Closing already: the rest wait for the next connection.
      if (!connection.writable) return;
      if (!this.pending.has(request.key)) continue;
      try {
        connection.send(request.bytes);
        this.pending.markSent(request.key);
      } catch (error) {
        this.pending.reject(request.key, error);
      }
    }
  }

  /**
   * The error of a request whose timeout ended before it was sent: connected, it waited for
   * a free slot among `maxRequestsInFlight`; else for a connection (the last failure names why).
   */
  #unsentError(timeout: number): NotSentError {
    const host = this.#host;
    return host.status === "connected" && host.connection?.writable === true
      ? new NotSentError(timeout, undefined, this.#options.maxRequestsInFlight)
      : new NotSentError(timeout, host.lastFailure);
  }

  /** Rejects the requests held for a connection with `error`: none is coming. */
  rejectQueued(error: unknown): void {
    for (const request of this.pending.unsent()) this.pending.reject(request.key, error);
  }

  /**
   * A sent request is settled: once half of the requests in flight are, the held ones take
   * their place (in batches: each look for them passes over those in flight).
   */
  #refill(): void {
    const pending = this.pending;
    if (pending.unsentCount === 0) return;
    if (pending.sentCount > this.#options.maxRequestsInFlight / 2) return;
    const connection = this.#host.connection;
    if (this.#host.status === "connected" && connection?.writable === true) {
      this.sendQueued(connection);
    }
  }

  /**
   * Registers a request and sends it now, or holds it until a connection is up or, while
   * `maxRequestsInFlight` are in flight or others wait already, until replies come.
   */
  #send(
    key: number,
    bytes: Uint8Array,
    options: RequestOptions,
    onReply?: (payload: Payload) => void,
  ): Promise<Payload> {
    if (options.timeout !== undefined) {
      // As a bad name or encoding: the request rejects, nothing throws.
      try {
        checkTimeout(options.timeout, "timeout");
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const host = this.#host;
    const status = host.status;
    if (status === "closed") return Promise.reject(closedError());
    // A socket that is closing drops what is sent: the request waits for the next connection.
    const current = status === "connected" ? host.connection : null;
    const connection = current?.writable === true ? current : null;
    // No connection coming without `autoconnect` (one closing is not followed by another).
    const noneComing = status === "disconnected" || current !== null;
    if (connection === null && noneComing && !this.#options.autoconnect) {
      return Promise.reject(new DisconnectedError());
    }
    if (connection === null && !(options.waitForConnection ?? this.#options.waitForConnection)) {
      if (status === "disconnected") host.startConnecting();
      return Promise.reject(
        new DisconnectedError("not connected: the request was not sent", {
          cause: host.lastFailure,
        }),
      );
    }
    // Without options of its own, a request shares one limits object (no allocation).
    const limits = options.timeout === undefined && options.signal === undefined &&
        onReply === undefined
      ? this.#defaultLimits
      : {
        timeout: options.timeout ?? this.#options.requestTimeout,
        signal: options.signal,
        onReply,
      };
    if (connection !== null) {
      const pending = this.pending;
      const full = pending.unsentCount > 0 ||
        pending.sentCount >= this.#options.maxRequestsInFlight;
      return full
        ? pending.add(key, bytes, limits)
        : pending.addAndSend(key, bytes, limits, connection);
    }
    const reply = this.pending.add(key, bytes, limits);
    // A request canceled already has rejected: it does not dial for nothing.
    if (status === "disconnected" && options.signal?.aborted !== true) host.startConnecting();
    return reply;
  }
}
