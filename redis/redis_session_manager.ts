/**
 * A session manager that keeps sessions in Redis, so that every server process sharing one
 * Redis can restore every session. Expiry uses Redis TTLs.
 *
 * @example
 * ```ts
 * import { RedisSessionManager } from "./redis_session_manager.ts";
 * // Connects lazily: nothing is sent before the first session call.
 * const sessions = new RedisSessionManager("redis://127.0.0.1:6379", { keyPrefix: "myapp:" });
 * console.assert(sessions.keyOf("A".repeat(64)) === "myapp:session:" + "A".repeat(64));
 * await sessions.close();
 * ```
 * @module
 */

// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { guardedLogger } from "../protocol/guarded_logger.ts";
import type { Logger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { isDefaultSessionKey } from "../session/session_key.ts";
import { SessionKeyTakenError } from "../session/session_key_taken_error.ts";
import type {
  Session,
  SessionExpiry,
  SessionLookupResult,
  SessionManager,
} from "../session/session_manager.ts";
import { printableUrl } from "../protocol/printable_url.ts";
import { heldLease, HeldSessions } from "./held_sessions.ts";
import { callRedis, ownedByLibrary } from "./redis_call.ts";
import { parseStoredSession } from "./stored_session_reply.ts";
import type { RedisClient } from "./redis_client.ts";
import {
  createSessionScript,
  forgetUnusedSessionScript,
  lookupSessionScript,
  releaseSessionScript,
  renewHeldScript,
} from "./session_scripts.ts";

/**
 * Options of a {@link RedisSessionManager}.
 *
 * @example
 * ```ts
 * import type { RedisSessionManagerOptions } from "./redis_session_manager.ts";
 * const options: RedisSessionManagerOptions = { keyPrefix: "chat:", commandTimeout: 500 };
 * console.assert(options.keyPrefix === "chat:");
 * ```
 */
export interface RedisSessionManagerOptions {
  /**
   * Prefix of every Redis key of this library; a session lives at `<keyPrefix>session:<key>`.
   * Default `webwire:`. Servers that share sessions must use the same prefix.
   */
  keyPrefix?: string;
  /**
   * Tells well-formed keys from others; a key it refuses is not found (and cannot be created),
   * without any call to Redis. Defaults to `isDefaultSessionKey`; set it when a custom key
   * generator makes other keys.
   */
  isValidKey?: (key: string) => boolean;
  /**
   * Milliseconds within which every call settles, waiting for a (re)connection included;
   * then it rejects with `RedisUnavailableError`. Default 2000. A connection that leaves a call
   * unanswered that long is taken for dead and reset (the client reconnects).
   */
  commandTimeout?: number;
  /**
   * Where a connection that this manager opened (from a URL) reports that Redis went away;
   * once per outage. Default `console`.
   */
  logger?: Logger;
}

const defaultCommandTimeout = 2000;

/**
 * Stores each session as a Redis hash at `<keyPrefix>session:<key>`: `c` creation and `l` last
 * lookup (RFC 3339 with nanoseconds), `i` the info as JSON, `m` the max-age deadline.
 *
 * | call                    | Redis                                                        |
 * | ----------------------- | ------------------------------------------------------------ |
 * | `onSessionCreated`      | the hash, unless the key has one (`SessionKeyTakenError`); with a max age `PEXPIREAT` creation + max age; held (see below) |
 * | `onSessionLookup`       | one script: returns the values from before, sets `l` to now, holds it: the idle TTL gives way to the lease, the max-age deadline stays |
 * | `onSessionReleased`     | with an idle timeout, one script: not held, expire in min(idle timeout, time left of the max age) |
 * | `onSessionClosed`       | `DEL`                                                        |
 * | `onSessionUnused`       | one script: `DEL` if `c` is still this session's creation    |
 * | `sweepExpired`          | renews the lease of the sessions this process holds (one script per 256); resolves to 0 (Redis expires keys itself) |
 *
 * - Keys come from clients and are untrusted: one that `isValidKey` refuses is not found, and
 *   never reaches Redis.
 * - Every call settles within `commandTimeout`; when Redis is down or slow it rejects with
 *   `RedisUnavailableError` (a server answers a restore or a session creation with an internal
 *   error then) and works again as soon as the client has reconnected. A call that failed is
 *   not sent again: a client passed in needs `autoResendUnfulfilledCommands: false` for that.
 * - Expiry times: the max-age deadline is the session's creation time by this server's clock,
 *   the idle deadline is counted by Redis' clock; keep clocks in sync (NTP) as usual.
 * - The manager knows nothing of clusters: "held" is what the server it serves tells it
 *   (a creation or a lookup holds, `onSessionReleased` releases, here or in another process).
 * - With an idle timeout, a held session does not expire for idleness, but its key carries a
 *   lease (the idle timeout plus two sweep intervals, or plus 10 s where that is more) that
 *   each sweep of the server renews while it holds the session: when the process dies (kill -9,
 *   a crash) without releasing its sessions, they expire within that lease of its last sweep, as
 *   released ones would. A process cut from Redis (or stalled) longer than the lease less a sweep
 *   interval loses the sessions it holds, as a cluster node taken for dead does.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { RedisSessionManager } from "./redis_session_manager.ts";
 * // With a client the application already has (and closes itself); failed calls stay failed:
 * const client = new Redis("redis://127.0.0.1:6379", {
 *   lazyConnect: true,
 *   autoResendUnfulfilledCommands: false,
 * });
 * const sessions = new RedisSessionManager(client, { commandTimeout: 1000 });
 * // Hostile keys are not found, without a call to Redis.
 * console.assert((await sessions.onSessionLookup("../etc/passwd")) === null);
 * client.disconnect();
 * ```
 */
export class RedisSessionManager implements SessionManager {
  /**
   * The ioredis client this manager uses (its own when given a URL). Its own client sets no
   * command timeout (each of the manager's calls has `commandTimeout`): bound an application's
   * own commands on it with `callRedis`.
   */
  readonly client: RedisClient;
  /** The key prefix, as given or `webwire:`. */
  readonly keyPrefix: string;
  /** The time limit of every call in milliseconds. */
  readonly commandTimeout: number;
  readonly #isValidKey: (key: string) => boolean;
  readonly #ownsClient: boolean;
  #expiry: SessionExpiry = { idleTimeout: 0, maxAge: 0 };
  /** The sessions this process holds, with an idle timeout: each sweep renews their lease. */
  readonly #held = new HeldSessions();

  /**
   * Creates a manager on an ioredis client, or on a new lazily connecting client for a
   * `redis://` URL (which {@link RedisSessionManager.close} closes). Give an application's
   * client `autoResendUnfulfilledCommands: false`, as the manager's own client has: else
   * ioredis sends a command again after a reconnect, and a lookup that failed (timed out) would
   * still hold its session, which then never expires.
   */
  constructor(redis: RedisClient | string, options: RedisSessionManagerOptions = {}) {
    const timeout = options.commandTimeout ?? defaultCommandTimeout;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new RangeError(`commandTimeout must be a positive number of ms, got ${timeout}`);
    }
    this.commandTimeout = timeout;
    this.keyPrefix = options.keyPrefix ?? "webwire:";
    this.#isValidKey = options.isValidKey ?? isDefaultSessionKey;
    if (typeof redis === "string") {
      this.client = ownClient(redis, guardedLogger(options.logger ?? console));
      this.#ownsClient = true;
    } else {
      this.client = redis;
      this.#ownsClient = false;
    }
  }

  /**
   * The Redis key of a session key, or `null` when the key is refused.
   *
   * @example
   * ```ts
   * import { RedisSessionManager } from "./redis_session_manager.ts";
   * const sessions = new RedisSessionManager("redis://127.0.0.1:6379");
   * console.assert(sessions.keyOf("A".repeat(64)) === "webwire:session:" + "A".repeat(64));
   * console.assert(sessions.keyOf("*") === null);
   * await sessions.close();
   * ```
   */
  keyOf(key: string): string | null {
    if (typeof key !== "string" || !this.#isValidKey(key)) return null;
    return `${this.keyPrefix}session:${key}`;
  }

  /**
   * Takes the server's expiry settings (idle timeout and max age in ms, 0 for never).
   *
   * @throws {RangeError} for a negative or non-finite value.
   */
  useExpiry(expiry: SessionExpiry): void {
    for (const name of ["idleTimeout", "maxAge"] as const) {
      const value = expiry[name];
      if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(`${name} must be 0 or a positive number of ms, got ${value}`);
      }
    }
    this.#expiry = { idleTimeout: expiry.idleTimeout, maxAge: expiry.maxAge };
  }

  /**
   * Stores the new session; with a max age it expires at creation + max age.
   *
   * @throws {RangeError} when the key is refused (a key generator that does not match
   *   `isValidKey`).
   * @throws {SessionKeyTakenError} when Redis has a session of the key (the key generator
   *   repeated a key, maybe on another node); that session is left as it is.
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async onSessionCreated(session: Session): Promise<void> {
    const redisKey = this.keyOf(session.key);
    if (redisKey === null) {
      throw new RangeError(
        `session key ${JSON.stringify(session.key)} is refused by the Redis session manager`,
      );
    }
    const maxAge = this.#expiry.maxAge;
    const deadline = maxAge > 0 ? String(session.creation.toDate().getTime() + maxAge) : "";
    const info = session.info === undefined ? "" : JSON.stringify(session.info);
    const lease = this.#lease();
    const args = [
      session.creation.toString(),
      session.lastLookup.toString(),
      info,
      deadline,
      lease,
    ];
    const created = await this.#call(
      "session creation",
      () => createSessionScript.run(this.client, [redisKey], args),
    );
    if (created === 0) throw new SessionKeyTakenError();
    if (lease > 0) this.#held.hold(redisKey, session.creation);
  }

  /**
   * Finds the session, records now as its last lookup and holds it (no idle expiry until it is
   * released; with an idle timeout its lease runs, renewed by each sweep).
   *
   * @returns the values from before this lookup, or `null` for a refused, unknown or expired
   *   key.
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   * @throws {CorruptRedisSessionError} when the key holds no session of this library's form.
   */
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    const redisKey = this.keyOf(key);
    if (redisKey === null) return null;
    const now = Timestamp.now().toString();
    const lease = this.#lease();
    const reply = await this.#call(
      "session lookup",
      () => lookupSessionScript.run(this.client, [redisKey], [now, lease]),
    );
    if (reply === null) return null;
    const found = parseStoredSession(redisKey, reply);
    if (lease > 0) this.#held.hold(redisKey, found.creation);
    return found;
  }

  /**
   * Whether the session is stored (`EXISTS`), without touching its last lookup or expiry.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async hasSession(key: string): Promise<boolean> {
    const redisKey = this.keyOf(key);
    if (redisKey === null) return false;
    const count = await this.#call("session check", () => this.client.exists(redisKey));
    return count === 1;
  }

  /**
   * Starts the session's idle clock: it expires after the idle timeout unless looked up again
   * (never later than its max-age deadline). Without an idle timeout it does nothing.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async onSessionReleased(key: string): Promise<void> {
    const redisKey = this.keyOf(key);
    const idleTimeout = this.#expiry.idleTimeout;
    if (redisKey === null || idleTimeout === 0) return;
    // At once: a release that fails leaves the lease to run out (the server tries it again).
    this.#held.release(redisKey);
    await this.#call(
      "session release",
      () => releaseSessionScript.run(this.client, [redisKey], [idleTimeout]),
    );
  }

  /**
   * Deletes the session; a refused or unknown key is fine.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async onSessionClosed(key: string): Promise<void> {
    const redisKey = this.keyOf(key);
    if (redisKey === null) return;
    this.#held.release(redisKey);
    await this.#call("session close", () => this.client.del(redisKey));
  }

  /**
   * Deletes the session if Redis still has this one (the same creation time, in one script);
   * a session of the key stored before or since, maybe by another node, stays, and so does
   * this process's hold of it (its lease is renewed still).
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time.
   */
  async onSessionUnused(session: Session): Promise<void> {
    const redisKey = this.keyOf(session.key);
    if (redisKey === null) return;
    // At once, and only this session's hold: a forget that fails (given up after its retries)
    // leaves its lease to run out, where sweeps renewed it for as long as the process lived; the
    // key may have another session this process holds, restored before or created since.
    this.#held.releaseSession(redisKey, session.creation);
    await this.#call(
      "unused session removal",
      () => forgetUnusedSessionScript.run(this.client, [redisKey], [session.creation.toString()]),
    );
  }

  /**
   * Renews the lease of each session this process holds, up to 256 in one script, and forgets
   * those that are no longer held in Redis (released or closed by another process, expired).
   * Resolves to 0: Redis forgets expired sessions by itself.
   *
   * @throws {RedisUnavailableError} when Redis is not reached in time (the rest wait for the
   *   next sweep: a lease outlasts a few).
   */
  async sweepExpired(): Promise<number> {
    const lease = this.#lease();
    if (lease === 0 || this.#held.size === 0) return 0;
    await this.#held.renew((keys) =>
      this.#call("held sessions' renewal", () => renewHeldScript.run(this.client, keys, [lease]))
    );
    return 0;
  }

  /** One call to Redis, settled within `commandTimeout`. */
  #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    return callRedis(this.client, this.commandTimeout, what, run);
  }

  /** The lease of a held session in ms; 0 without an idle timeout (held for good). */
  #lease(): number {
    const idleTimeout = this.#expiry.idleTimeout;
    return idleTimeout === 0 ? 0 : heldLease(idleTimeout);
  }

  /**
   * Closes the connection that this manager opened from a URL (gracefully, within the command
   * timeout); a client given to the constructor is left open for its owner to close.
   *
   * @example
   * ```ts
   * import { RedisSessionManager } from "./redis_session_manager.ts";
   * const sessions = new RedisSessionManager("redis://127.0.0.1:6379");
   * await sessions.close();
   * console.assert(sessions.client.status === "end");
   * ```
   */
  async close(): Promise<void> {
    this.#held.clear();
    if (!this.#ownsClient) return;
    const client = this.client;
    if (client.status === "ready") {
      await callRedis(client, this.commandTimeout, "closing", () => client.quit()).catch(() => {});
    }
    client.disconnect();
  }
}

function ownClient(url: string, logger: Logger): RedisClient {
  const client = ownedByLibrary(
    new Redis(url, {
      lazyConnect: true,
      // No `commandTimeout` here: every call has its limit from callRedis, which takes a reply
      // that arrived while the process stalled; ioredis' own timer would fail the call at once.
      // Reconnect for ever, at most a second apart: a server outlives Redis restarts.
      retryStrategy: (times) => Math.min(times * 100, 1000),
      // A call that failed stays failed: a lookup sent again after a reconnect would hold
      // (PERSIST) a session that nobody holds, and it would never expire.
      autoResendUnfulfilledCommands: false,
    }),
  );
  // ioredis emits `error` on every failed (re)connect; the calls report failures themselves.
  let reported = false;
  client.on("error", (error: Error) => {
    if (reported) return;
    reported = true;
    // The URL's password never goes to the log.
    logger.warn(
      `Redis session manager: connection to ${printableUrl(url)} failed: ${error.message}`,
    );
  });
  client.on("ready", () => reported = false);
  return client;
}
