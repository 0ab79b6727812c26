/**
 * The requests of a client that await their reply: matched by request id, each with its own
 * timeout and optional `AbortSignal`, and either sent already or waiting for a connection.
 *
 * @example
 * ```ts
 * import { PendingRequests } from "./pending_requests.ts";
 * const pending = new PendingRequests();
 * const reply = pending.add(1, new Uint8Array(9), { timeout: 1000 });
 * pending.reject(1, new Error("gone"));
 * await reply.catch(() => {});
 * console.assert(pending.size === 0);
 * ```
 * @module
 */

import type { Payload } from "../protocol/payload.ts";
import { CanceledError, NotSentError, TimeoutError } from "./errors.ts";
import { DeadlineTimer, type Timed } from "./deadline_timer.ts";

/**
 * One request that awaits its reply.
 *
 * @example
 * ```ts
 * import { PendingRequests, type PendingRequest } from "./pending_requests.ts";
 * const pending = new PendingRequests();
 * const reply = pending.add(7, new Uint8Array(9), { timeout: 1000 });
 * const first: PendingRequest = pending.unsent()[0];
 * console.assert(first.key === 7 && !first.sent);
 * pending.reject(7, new Error("done"));
 * await reply.catch(() => {});
 * ```
 */
export interface PendingRequest {
  /** The request id as a number (`requestIdKey`). */
  readonly key: number;
  /**
   * The encoded request, until it is sent (then empty: the bytes may be a view of a shared
   * slab, which they would keep alive).
   */
  readonly bytes: Uint8Array;
  /** Whether it went out on the current connection. */
  sent: boolean;
}

interface Entry extends PendingRequest, Timed {
  bytes: Uint8Array;
  resolve(payload: Payload): void;
  reject(error: unknown): void;
  /** Its timeout in milliseconds, or 0 for none (then it is not in the deadline timer). */
  timeout: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  onReply: ((payload: Payload) => void) | undefined;
}

/** What a sent request holds in place of its bytes. */
const noBytes = new Uint8Array(0);

/**
 * Where {@link PendingRequests.addAndSend} sends a request: a client connection.
 *
 * @example
 * ```ts
 * import type { MessageSender } from "./pending_requests.ts";
 * const sent: Uint8Array[] = [];
 * const sender: MessageSender = { send: (bytes) => void sent.push(bytes) };
 * sender.send(new Uint8Array(9), performance.now());
 * console.assert(sent.length === 1);
 * ```
 */
export interface MessageSender {
  /** Sends one message; `now` is `performance.now()` as the caller read it, or absent. */
  send(bytes: Uint8Array, now?: number): void;
}

/**
 * Limits of one pending request.
 *
 * @example
 * ```ts
 * import type { PendingOptions } from "./pending_requests.ts";
 * const options: PendingOptions = { timeout: Infinity };
 * console.assert(options.signal === undefined);
 * ```
 */
export interface PendingOptions {
  /**
   * Milliseconds until it rejects with a `TimeoutError`; `Infinity` (or ≤ 0) for none. A timeout
   * longer than a timer can run (2^31 − 1 ms, about 24.8 days) is waited for in several.
   */
  timeout: number;
  /** Rejects it with a `CanceledError` when aborted. */
  signal?: AbortSignal;
  /**
   * Runs as the reply arrives, before the next message is handled (the promise's `then` may
   * run only after several: Node's WebSockets hand over the messages of one read in a row); a
   * throw rejects the request with what it threw.
   */
  onReply?: (payload: Payload) => void;
}

// How many given-up request ids are remembered for their late replies.
const givenUpKept = 1024;

/**
 * The table of pending requests, keyed by request id. Settling an entry frees it at once, so
 * a late reply to a timed-out or canceled request finds nothing (and {@link PendingRequests.gaveUp}
 * says it was one).
 *
 * @example
 * ```ts
 * import { PendingRequests } from "./pending_requests.ts";
 * import { Payload } from "@webwire/webwire/protocol";
 * const pending = new PendingRequests();
 * const reply = pending.add(1, new Uint8Array(9), { timeout: 1000 });
 * console.assert(pending.settle(1, Payload.from("ok")));
 * console.assert((await reply).text() === "ok");
 * ```
 */
export class PendingRequests {
  readonly #entries = new Map<number, Entry>();
  readonly #unsentError: (timeout: number) => NotSentError;
  readonly #deadlines = new DeadlineTimer<Entry>((entry) =>
    this.#giveUp(
      entry.key,
      entry.sent ? new TimeoutError(entry.timeout) : this.#unsentError(entry.timeout),
    )
  );
  // Sent requests given up on (timed out, canceled), whose replies may still come: a late reply
  // is logged as such, not as one to an unknown request. Bounded, oldest out.
  readonly #givenUp = new Set<number>();
  readonly #sentDone: () => void;
  readonly #sentStarted: () => void;
  #added = 0;
  #sent = 0;
  #sentSince: number | undefined;

  /**
   * Starts empty. A request whose timeout ends before it was sent rejects with the
   * `NotSentError` that `unsentError` makes then (naming the last connect failure, or the
   * requests in flight that held it back).
   * `sentDone` runs each time a sent request is settled (replied, timed out, canceled, lost),
   * `sentStarted` each time a request is sent while no other sent one waited.
   */
  constructor(
    unsentError: (timeout: number) => NotSentError = (timeout) => new NotSentError(timeout),
    sentDone: () => void = () => {},
    sentStarted: () => void = () => {},
  ) {
    this.#unsentError = unsentError;
    this.#sentDone = sentDone;
    this.#sentStarted = sentStarted;
  }

  /** How many requests await a reply. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many of them were sent. */
  get sentCount(): number {
    return this.#sent;
  }

  /**
   * Since when (`performance.now()`) sent requests have awaited replies without a break: the
   * send that ended the last moment none did; `undefined` while none does.
   */
  get sentSince(): number | undefined {
    return this.#sentSince;
  }

  /** How many of them wait to be sent. */
  get unsentCount(): number {
    return this.#entries.size - this.#sent;
  }

  /**
   * Adds a request that awaits the reply with id `key`; the promise settles with its outcome.
   * A signal that is already aborted rejects it at once.
   */
  add(key: number, bytes: Uint8Array, options: PendingOptions, sent = false): Promise<Payload> {
    return this.#register(key, bytes, options, sent, undefined);
  }

  /**
   * Adds a request as {@link PendingRequests.add} does and sends it at once through
   * `connection`, marking it sent; a `send` that throws rejects it with that error. A request
   * whose signal is already aborted is not sent.
   *
   * @example
   * ```ts
   * import { PendingRequests } from "./pending_requests.ts";
   * const pending = new PendingRequests();
   * const out: Uint8Array[] = [];
   * const reply = pending.addAndSend(3, new Uint8Array(9), { timeout: 1000 }, {
   *   send: (bytes) => void out.push(bytes),
   * });
   * console.assert(out.length === 1 && pending.unsent().length === 0);
   * pending.reject(3, new Error("done"));
   * await reply.catch(() => {});
   * ```
   */
  addAndSend(
    key: number,
    bytes: Uint8Array,
    options: PendingOptions,
    connection: MessageSender,
  ): Promise<Payload> {
    return this.#register(key, bytes, options, false, connection);
  }

  #register(
    key: number,
    bytes: Uint8Array,
    options: PendingOptions,
    sent: boolean,
    connection: MessageSender | undefined,
  ): Promise<Payload> {
    return new Promise<Payload>((resolve, reject) => {
      const { signal, timeout } = options;
      if (signal?.aborted) {
        reject(new CanceledError(signal.reason));
        return;
      }
      const timed = timeout > 0 && Number.isFinite(timeout);
      // One clock read for the deadline and the connection's heartbeat.
      const now = performance.now();
      const entry: Entry = {
        key,
        bytes: sent ? noBytes : bytes,
        sent,
        resolve,
        reject,
        timeout: timed ? timeout : 0,
        deadline: timed ? now + timeout : Infinity,
        done: false,
        order: this.#added++,
        signal,
        onAbort: undefined,
        onReply: options.onReply,
      };
      if (timed) this.#deadlines.add(entry);
      if (signal !== undefined) {
        entry.onAbort = () => this.#giveUp(key, new CanceledError(signal.reason));
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.#entries.set(key, entry);
      if (sent) this.#countSent(now);
      if (connection === undefined) return;
      try {
        connection.send(bytes, now);
        this.markSent(key, now);
      } catch (error) {
        this.reject(key, error);
      }
    });
  }

  /** Whether a request with this key awaits a reply. */
  has(key: number): boolean {
    return this.#entries.has(key);
  }

  /** Marks a request as sent (`now`: `performance.now()`, if the caller read it). */
  markSent(key: number, now?: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.sent) return;
    entry.sent = true;
    entry.bytes = noBytes;
    this.#countSent(now);
  }

  #countSent(now?: number): void {
    if (this.#sent++ !== 0) return;
    this.#sentSince = now ?? performance.now();
    this.#sentStarted();
  }

  /**
   * Settles a request with a payload or an error; `false` when no request has this key.
   */
  settle(key: number, outcome: Payload | Error): boolean {
    const entry = this.#take(key);
    if (entry === undefined) return false;
    if (outcome instanceof Error) entry.reject(outcome);
    else if (entry.onReply === undefined) entry.resolve(outcome);
    else {
      try {
        entry.onReply(outcome);
        entry.resolve(outcome);
      } catch (error) {
        entry.reject(error);
      }
    }
    return true;
  }

  /** Rejects a request with `error`; `false` when no request has this key. */
  reject(key: number, error: unknown): boolean {
    const entry = this.#take(key);
    if (entry === undefined) return false;
    entry.reject(error);
    return true;
  }

  /**
   * Whether `key` is a sent request that timed out or was canceled, whose reply has not come
   * yet; `true` once only, so that its late reply is told from a stray one (the last 1024 are
   * known).
   */
  gaveUp(key: number): boolean {
    return this.#givenUp.delete(key);
  }

  #giveUp(key: number, error: Error): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || !this.reject(key, error) || !entry.sent) return;
    this.#givenUp.add(key);
    if (this.#givenUp.size > givenUpKept) {
      this.#givenUp.delete(this.#givenUp.values().next().value!);
    }
  }

  /** The requests not yet sent, oldest first; at most `limit` of them. */
  unsent(limit = Infinity): PendingRequest[] {
    const list: PendingRequest[] = [];
    if (limit < 1) return list;
    for (const entry of this.#entries.values()) {
      if (!entry.sent && list.push(entry) >= limit) break;
    }
    return list;
  }

  /** Rejects every sent request (their connection is gone) with `error`. */
  rejectSent(error: unknown): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.sent) this.reject(entry.key, error);
    }
    if (this.#entries.size === 0) this.#deadlines.clear();
  }

  /** Rejects every request with `error`. */
  rejectAll(error: unknown): void {
    for (const key of [...this.#entries.keys()]) this.reject(key, error);
    this.#deadlines.clear();
  }

  #take(key: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    entry.done = true;
    if (entry.timeout !== 0) this.#deadlines.forget();
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener("abort", entry.onAbort);
    if (entry.sent) {
      if (--this.#sent === 0) this.#sentSince = undefined;
      this.#sentDone();
    }
    return entry;
  }
}
