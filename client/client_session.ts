/**
 * The session side of the client: the session it holds, gained from the server's
 * session-created or a restore, lost on session-closed, written to the session storage on every
 * change and restored on each new connection before the connection is announced. Internal to
 * the client.
 *
 * @example
 * ```ts
 * import { Client, memorySessionStorage } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: async ({ connection, payload }) => {
 *     await connection.createSession({ user: payload.text() });
 *     return "welcome";
 *   },
 * }));
 * const storage = memorySessionStorage(); // webStorageSessionStorage(localStorage) in a page
 * const first = new Client(running.url, { sessionStorage: storage });
 * await first.request("login", "ada");
 * console.assert(first.session !== null && (await storage.get()) === first.session.key);
 * await first.close();
 * const second = new Client(running.url, { sessionStorage: storage }); // the page reloaded
 * await second.connect(); // restores the stored session before it counts as connected
 * console.assert(second.session?.info?.user === "ada");
 * await second.close(), await running.close();
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Payload } from "../protocol/payload.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { parseSessionJson } from "../protocol/session_json.ts";
import type { Session } from "../protocol/session_json.ts";
import type { Connection } from "./connection.ts";
import {
  DisconnectedError,
  InternalError,
  MaxSessionConnectionsError,
  ShutdownError,
  TimeoutError,
} from "./errors.ts";
import { lostWhileConnecting } from "./lost_while_connecting.ts";
import type { SessionStorage } from "./session_storage.ts";
import { timerDelay } from "./timer_delay.ts";

/** The read timeout a server has by default (ms), assumed of one that announces none (0). */
const defaultReadTimeout = 60_000;

/**
 * The least read timeout (ms) the restore budget is reckoned from, as the heartbeat's: a server
 * that announces less (1 ms, say) would otherwise leave a restore 2 ms to be answered, and sign
 * its users out for the round trip alone.
 */
const leastReadTimeout = 100;

/**
 * How long (ms) the restores of one session may go unanswered in a row (timed out,
 * internal-error, shutdown) or be refused for too many connections before the session counts
 * as refused, not counting time in which no connection could be made: twice the server's read
 * timeout, after which the server has dropped any earlier connection of this client it did not
 * see close (of a minute, the server's default, when it announces none: 0; of at least
 * 100 ms). Meanwhile each fails its connect attempt, retried under the backoff.
 *
 * @example
 * ```ts
 * import { unansweredRestoreBudget } from "./client_session.ts";
 * console.assert(unansweredRestoreBudget(60_000) === 120_000); // the server's default
 * console.assert(unansweredRestoreBudget(0) === 120_000); // the server announces none
 * console.assert(unansweredRestoreBudget(1) === 200); // at least 100 ms' worth
 * ```
 */
export function unansweredRestoreBudget(readTimeoutMs: number): number {
  if (readTimeoutMs <= 0) return 2 * defaultReadTimeout;
  return 2 * Math.max(readTimeoutMs, leastReadTimeout);
}

/**
 * How long (ms) the restore on a new connection waits for its reply: the client's request
 * timeout, but at most {@link unansweredRestoreBudget} of the server's read timeout (of a
 * minute, the server's default, when it announces none), so that a server that never answers
 * it cannot hold the connect attempt up for good (with `requestTimeout: Infinity`, say).
 *
 * @example
 * ```ts
 * import { restoreTimeout } from "./client_session.ts";
 * console.assert(restoreTimeout(Infinity, 60_000) === 120_000);
 * console.assert(restoreTimeout(5_000, 60_000) === 5_000);
 * console.assert(restoreTimeout(Infinity, 0) === 120_000); // the server announces none
 * ```
 */
export function restoreTimeout(requestTimeout: number, readTimeoutMs: number): number {
  return Math.min(requestTimeout, unansweredRestoreBudget(readTimeoutMs));
}

/**
 * What the session side needs of its client.
 *
 * @example
 * ```ts
 * import type { ClientSessionHost } from "./client_session.ts";
 * type Closed = ClientSessionHost["closed"];
 * const closed: Closed = false;
 * console.assert(!closed);
 * ```
 */
export interface ClientSessionHost {
  /** Where the session key is kept across restarts, if anywhere. */
  readonly storage: SessionStorage | undefined;
  /** Where failures go. */
  readonly logger: Logger;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** The client's request timeout (ms): with the server's read timeout, bounds the restore. */
  readonly requestTimeout: number;
  /**
   * Sends a restore-session request for `key` on `connection` ahead of the requests queued
   * for it, and resolves with the reply (or rejects like any request).
   */
  restore(
    connection: Connection,
    key: string,
    onReply: (payload: Payload) => void,
  ): Promise<Payload>;
  /** Announces a new session (`sessioncreated`). */
  created(session: Session): void;
  /** Announces the end of the session (`sessionclosed`). */
  closedSession(): void;
}

/**
 * The session a client holds, or none.
 *
 * @example
 * ```ts
 * import { ClientSession } from "./client_session.ts";
 * const events: string[] = [];
 * const session = new ClientSession({
 *   storage: undefined,
 *   logger: console,
 *   closed: false,
 *   requestTimeout: 60_000,
 *   restore: () => Promise.reject(new Error("not connected")),
 *   created: (created) => events.push(`created ${created.key}`),
 *   closedSession: () => events.push("closed"),
 * });
 * session.received(new TextEncoder().encode(
 *   '{"k":"key","c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}',
 * ));
 * session.lose();
 * console.assert(session.current === null && events.join() === "created key,closed");
 * ```
 */
export class ClientSession {
  readonly #host: ClientSessionHost;
  #session: Session | null = null;
  #storageRead = false;
  /** Malformed session-created messages: only the 1st, 10th, 100th, ... are logged. */
  readonly #malformed = new PowersOfTenLog();
  /** Failed storage writes (two per new session a server may send without end): as above. */
  readonly #storageFailures = new PowersOfTenLog();
  /**
   * The session whose restores went unanswered in a row (or were refused for too many
   * connections), and since when (`performance.now()` ms).
   */
  #unanswered: { key: string; since: number } | undefined;
  /**
   * Since when (`performance.now()` ms) no connection could be made while restores were
   * unanswered: that time is no server's refusal, and does not count against the budget.
   */
  #unreachableSince: number | undefined;

  /** Starts without a session; the storage is read on the first connection. */
  constructor(host: ClientSessionHost) {
    this.#host = host;
  }

  /** The session held, or `null`. */
  get current(): Session | null {
    return this.#session;
  }

  /** Takes the session of a session-created message; a malformed one is logged and ignored. */
  received(json: Uint8Array): void {
    let session: Session;
    try {
      session = parseSessionJson(json);
    } catch (error) {
      // A broken server may send them without end: the log must not follow.
      const malformed = this.#malformed;
      if (!malformed.tally()) return;
      const count = malformed.count === 1 ? "" : ` (${malformed.count} so far)`;
      this.#host.logger.error(`webwire client: ignored a malformed session${count}:`, error);
      return;
    }
    this.gain(session);
  }

  /**
   * Holds `session`, stores its key and announces it. A session held under another key is
   * lost first (storage cleared, `sessionclosed`), so that the events, the storage and
   * {@link ClientSession.current} agree on every change.
   */
  gain(session: Session): void {
    if (this.#session !== null && this.#session.key !== session.key) this.lose();
    this.#session = session;
    this.#unanswered = undefined;
    this.#store(session.key);
    this.#host.created(session);
  }

  /** Forgets the session, clears the storage and announces it; without a session, nothing. */
  lose(): void {
    if (this.#session === null) return;
    this.#session = null;
    this.#unanswered = undefined;
    this.#store(null);
    this.#host.closedSession();
  }

  /**
   * Restores the session (or, on the first connection, the stored one) on a new connection
   * before it is announced. Rejects when the connection is lost or the client closed meanwhile,
   * and when the restore is not answered in time or gets the internal-error, shutdown or
   * max-session-connections reply (the session then stays for the next attempt), for up to
   * {@link unansweredRestoreBudget} in a row; a refused or malformed restore (or one unanswered
   * past that) ends the session instead. A restore answered with another session than the one
   * asked for ends that one (`sessionclosed`, also for a stored key) and gains the new one.
   */
  async restoreOn(connection: Connection): Promise<void> {
    const host = this.#host;
    this.#reachedAgain();
    let key = this.#session?.key ?? null;
    const fromStorage = key === null && host.storage !== undefined && !this.#storageRead;
    if (fromStorage) {
      this.#storageRead = true;
      try {
        const wait = restoreTimeout(host.requestTimeout, connection.readTimeout);
        key = await readStoredKey(host.storage!, wait, connection);
      } catch (error) {
        host.logger.error("webwire client: reading the session storage failed:", error);
      }
      // close() or a drop while the storage was read: no restore to send (its timer would
      // outlive the client).
      if (host.closed || !connection.isOpen) {
        this.#storageRead = false;
        throw host.closed
          ? new DisconnectedError("the client was closed while connecting")
          : lostWhileConnecting(connection);
      }
    }
    if (key === null || key === "") {
      this.#unanswered = undefined;
      return;
    }
    const restoring = key;
    let malformed: ProtocolError | undefined;
    // Taken as the reply arrives: the signals the server sends right after it find the session.
    const taken = (reply: Payload) => {
      this.#unanswered = undefined;
      let session: Session;
      try {
        session = parseSessionJson(reply.bytes);
      } catch (error) {
        this.#restoreFailed(fromStorage, restoring, error, "the server sent a malformed session: ");
        // The server counts this connection as holding the session: the attempt fails and its
        // connection closes, so that the next one starts without it on both sides.
        const why = error instanceof Error ? error.message : String(error);
        throw malformed = new ProtocolError("bad-session", `malformed restore reply: ${why}`);
      }
      if (this.#session !== null && this.#session.key === session.key) {
        this.#session = session; // the session held, announced already
        return;
      }
      // The server answered with another session: the one asked for is gone. A held one is lost
      // by gain(); a stored one, never announced in this client run, is told gone all the same.
      if (fromStorage && session.key !== restoring) this.#forget(true, restoring);
      this.gain(session);
    };
    try {
      await host.restore(connection, key, taken);
    } catch (error) {
      if (error === malformed) throw error;
      // Unanswered in time, or the server could not answer (its storage is down, it is
      // shutting down): the session may well live. The attempt fails and is retried.
      // Also a refusal for too many connections: the server may not yet have seen this
      // client's previous connection close (a quick reconnect after a network blip).
      const unanswered = error instanceof TimeoutError || error instanceof InternalError ||
        error instanceof ShutdownError || error instanceof MaxSessionConnectionsError;
      // A server that never answers it would keep the client out for good: past the budget it
      // counts as a refusal.
      if (
        !connection.isOpen || host.closed || (unanswered && this.#keepsWaiting(key, connection))
      ) {
        if (fromStorage) this.#storageRead = false;
        throw error;
      }
      this.#unanswered = undefined;
      this.#restoreFailed(fromStorage, key, error);
    }
  }

  /**
   * A dial failed: until the next connection, the budget of unanswered restores does not run
   * (a server down for longer than it, then slow to answer once, must not sign the user out).
   */
  unreachable(): void {
    if (this.#unanswered !== undefined) this.#unreachableSince ??= performance.now();
  }

  /** A connection was made: the time without one is taken off the unanswered restores'. */
  #reachedAgain(): void {
    const since = this.#unreachableSince;
    if (since === undefined) return;
    this.#unreachableSince = undefined;
    if (this.#unanswered !== undefined) this.#unanswered.since += performance.now() - since;
  }

  /** Whether the unanswered restores of `key` are still within their budget (counting this one). */
  #keepsWaiting(key: string, connection: Connection): boolean {
    const now = performance.now();
    if (this.#unanswered?.key !== key) this.#unanswered = { key, since: now };
    return now - this.#unanswered.since < unansweredRestoreBudget(connection.readTimeout);
  }

  /**
   * Forgets a session that could not be restored, with one line in the log (an expired key
   * is routine, not worth a stack trace), and fires `sessionclosed` so that an application can
   * show "signed out", also for a stored key that this client run never announced.
   */
  #restoreFailed(fromStorage: boolean, key: string, error: unknown, prefix = ""): void {
    const why = error instanceof Error ? error.message : String(error);
    this.#host.logger.warn(
      `webwire client: the ${
        fromStorage ? "stored " : ""
      }session could not be restored: ${prefix}${why}; it is forgotten`,
    );
    this.#forget(fromStorage, key);
  }

  /**
   * Forgets the session with `key`, being restored: the one held (see
   * {@link ClientSession.lose}), or a stored key that this client run never announced (storage
   * cleared, `sessionclosed`).
   */
  #forget(fromStorage: boolean, key: string): void {
    const current = this.#session;
    // A session the server created meanwhile (session-created during the restore) replaced the
    // one asked for already, in the storage too: it stays.
    if (current !== null && current.key !== key) return;
    if (current !== null || !fromStorage) return this.lose();
    this.#store(null);
    this.#host.closedSession();
  }

  #store(key: string | null): void {
    const storage = this.#host.storage;
    if (storage === undefined) return;
    // A throw and a rejection alike; a broken storage fails on every change.
    (async () => await storage.set(key))().catch((error) => this.#storageFailed(error));
  }

  #storageFailed(error: unknown): void {
    const failures = this.#storageFailures;
    if (!failures.tally()) return;
    const count = failures.count === 1 ? "" : ` (${failures.count} so far)`;
    this.#host.logger.error(`webwire client: session storage failed${count}:`, error);
  }
}

/**
 * Reads the stored key, for at most `ms` (as long as a restore may take) and only while
 * `connection` has not closed (then `null`): a storage that never answers (an IndexedDB open
 * blocked by another tab, say) must not hold the connect attempt up for good. Rejects as the
 * storage does, or after `ms`.
 */
function readStoredKey(
  storage: SessionStorage,
  ms: number,
  connection: Connection,
): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the session storage did not answer within ${ms} ms`)),
      timerDelay(ms),
    );
  });
  const read = (async () => await storage.get())();
  const closed = connection.closed.then(() => null);
  return Promise.race([read, late, closed]).finally(() => clearTimeout(timer));
}
