/**
 * One bounded Redis call: it waits for the connection to be ready, runs, and settles within a
 * time limit, rejecting with {@link RedisUnavailableError} when Redis cannot be reached in time.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { callRedis } from "./redis_call.ts";
 * import { RedisUnavailableError } from "./errors.ts";
 * // A client that was quit: the call rejects at once, nothing is sent.
 * const client = new Redis({ lazyConnect: true });
 * client.disconnect();
 * const error = await callRedis(client, 100, "a ping", () => client.ping()).catch((e) => e);
 * console.assert(error instanceof RedisUnavailableError);
 * ```
 * @module
 */

import type { RedisClient } from "./redis_client.ts";
import { RedisUnavailableError } from "./errors.ts";

/**
 * The calls waiting for each client's next `ready` event (or its `end`), run in a microtask
 * after it. A call that gives up takes itself off: while Redis stays away, calls that timed out
 * (and the bytes they were to send) are not held until it is back.
 */
const waiting = new WeakMap<RedisClient, Set<() => void>>();

/** Runs `callback` after the client's next `ready` or `end`; returns what cancels that. */
function whenReady(client: RedisClient, callback: () => void): () => void {
  let callbacks = waiting.get(client);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    const done = (): void => {
      client.off("ready", done);
      client.off("end", done);
      if (waiting.get(client) === set) waiting.delete(client);
      queueMicrotask(() => {
        for (const waiter of set) waiter();
      });
    };
    client.once("ready", done);
    client.once("end", done);
    waiting.set(client, set);
    callbacks = set;
  }
  const set = callbacks;
  set.add(callback);
  return () => set.delete(callback);
}

/**
 * Runs `command` on `client` once the connection is ready, and settles within `timeoutMs`.
 *
 * - A call is sent only on a ready connection: while the client is (re)connecting, or its
 *   socket is already closing, the call waits for it, up to the time limit, and is not queued
 *   inside the client. So when Redis is
 *   down calls reject after `timeoutMs` and leave nothing behind to run later. (A command that
 *   was sent just as the connection broke may still be resent by the client on reconnect,
 *   unless it has `autoResendUnfulfilledCommands: false`.)
 * - A call sent on a ready connection of a client of the library's own ({@link ownedByLibrary})
 *   that gets no reply for its whole time limit means that connection is dead
 *   (a partition that keeps TCP up, a hung Redis): it is reset at once (`RST`), so that the
 *   client reconnects (a retry strategy permitting), and what is queued in it (commands sent
 *   but not answered, their bytes not yet delivered) is dropped rather than run once the link
 *   is back. A command that had already reached Redis may still run. A call that waited for the
 *   connection and went out with little of its limit left (Redis just came back) fails alone:
 *   a silence that short says nothing of the connection, and a reset would drop every other
 *   command in flight on it.
 * - A process that stalled past the time limit (a long GC pause, a starved CPU) does not fail a
 *   call whose reply arrived meanwhile: a limit that fires more than 20 ms late waits 100 ms
 *   more, so that replies already received are read first.
 * - A client that was quit or disconnected for good (`end`) rejects at once.
 * - Errors that Redis answered (`ReplyError`: a wrong type, a script error) are passed on as
 *   they are; every other failure (timeout, connection lost, client closed) becomes a
 *   {@link RedisUnavailableError} with the original as its `cause`.
 * - The promise that loses the race is caught, so it never becomes an unhandled rejection.
 *
 * @param client an ioredis client; a lazy one (`status` `wait`) is connected.
 * @param timeoutMs the time limit of the whole call, waiting for the connection included.
 * @param operation what the call is for, for the error message (e.g. `session lookup`).
 * @param command sends the command(s), e.g. `() => client.hgetall(key)`.
 * @returns what `command` resolves to.
 * @throws {RedisUnavailableError} on timeout or when the connection is down or closed.
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { callRedis } from "./redis_call.ts";
 * const redis = await startRedisServer(); // a redis-server of its own, on a free port
 * const client = new Redis(redis.url, { lazyConnect: true });
 * // Connects the lazy client, then pings, all within 2 s.
 * console.assert((await callRedis(client, 2000, "a ping", () => client.ping())) === "PONG");
 * await client.quit();
 * await redis.stop();
 * ```
 */
export function callRedis<T>(
  client: RedisClient,
  timeoutMs: number,
  operation: string,
  command: () => Promise<T>,
): Promise<T> {
  if (client.status === "end") {
    return Promise.reject(new RedisUnavailableError(operation, "the Redis client was closed"));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    /** The connection the command was sent on, once sent, and when (`performance.now()`). */
    let sentOn: ClientStream | undefined;
    let sentAt = 0;
    /** Takes a call that waits for the connection off the client's waiting calls. */
    let stopWaiting = (): void => {};
    const started = performance.now();
    const expire = (): void => {
      if (settled) return;
      settled = true;
      stopWaiting();
      const waiting = client.status === "ready" ? "no reply" : `connection ${client.status}`;
      const unanswered = performance.now() - sentAt;
      if (sentOn !== undefined && unanswered >= timeoutMs - TIMER_SLACK_MS) {
        resetIfStill(client, sentOn);
      }
      reject(new RedisUnavailableError(operation, `timed out after ${timeoutMs} ms (${waiting})`));
    };
    let timer = setTimeout(() => {
      // A timer that fires well after its time means the process stalled (a GC pause, CPU
      // starvation): it runs before the replies that arrived meanwhile are read. Those get a
      // moment to be read before the call gives up.
      if (performance.now() - started > timeoutMs + LATE_MS) {
        timer = setTimeout(expire, STALL_GRACE_MS);
      } else expire();
    }, timeoutMs);
    const run = (): void => {
      if (settled) return;
      if (client.status === "end") {
        settled = true;
        clearTimeout(timer);
        reject(new RedisUnavailableError(operation, "the Redis client was closed"));
        return;
      }
      if (!writable(client)) {
        // Still `ready`, its socket already closing: ioredis would queue the command and send
        // it on reconnect, after this call gave up. Wait for the next connection instead.
        stopWaiting = whenReady(client, run);
        return;
      }
      sentOn = streamOf(client);
      sentAt = performance.now();
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // The client's own time limit (ioredis' `commandTimeout`) tells the same as ours.
          if (isClientTimeout(error) && sentOn !== undefined) resetIfStill(client, sentOn);
          reject(isReplyError(error) ? error : unavailable(operation, error));
        },
      );
    };
    if (client.status === "ready") {
      run();
      return;
    }
    if (client.status === "wait") client.connect().catch(() => {});
    stopWaiting = whenReady(client, run);
  });
}

/**
 * A time-limit timer firing more than this many ms after its time came after a stall: one of
 * any length (a stall just past the limit included) may have kept a reply unread.
 */
const LATE_MS = 20;

/** How long a call whose timer came after a stall still waits for its reply to be read. */
const STALL_GRACE_MS = 100;

/**
 * How much earlier than `performance.now()` reckons a timer may fire: a call sent at once
 * still counts as unanswered for its whole limit when its timer fires.
 */
const TIMER_SLACK_MS = 5;

/** Clients of the library's own, whose connection a call that timed out may reset. */
const resettable = new WeakSet<object>();

/**
 * Lets calls on `client`, a client the library made and nobody else uses, reset its connection
 * when a call gets no reply in time. A client an application passes in is never reset: its own
 * commands on that connection would be sent twice, or never settle.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ownedByLibrary } from "./redis_call.ts";
 * const client = ownedByLibrary(new Redis("redis://127.0.0.1:6379", { lazyConnect: true }));
 * client.disconnect();
 * ```
 */
export function ownedByLibrary<T extends object>(client: T): T {
  resettable.add(client);
  return client;
}

/** The socket of an ioredis client (`net.Socket`), as far as a reset needs it. */
interface ClientStream {
  readonly writable?: boolean;
  destroy(): unknown;
  resetAndDestroy?(): unknown;
}

/** Whether a command sent now goes out on the client's connection rather than into a queue. */
function writable(client: RedisClient): boolean {
  return client.status === "ready" && streamOf(client)?.writable !== false;
}

function streamOf(client: RedisClient): ClientStream | undefined {
  return (client as { stream?: ClientStream }).stream;
}

/**
 * Resets `stream` if it is still the client's ready connection (not one that was replaced by a
 * reconnect meanwhile). A reset (`RST`) discards the bytes not yet sent, where a graceful close
 * would still deliver them; ioredis sees the connection close and reconnects.
 */
function resetIfStill(client: RedisClient, stream: ClientStream): void {
  if (!resettable.has(client) || client.status !== "ready" || streamOf(client) !== stream) return;
  try {
    if (typeof stream.resetAndDestroy === "function") stream.resetAndDestroy();
    else stream.destroy();
  } catch {
    stream.destroy();
  }
}

/** ioredis' own `commandTimeout` error. */
function isClientTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "Command timed out";
}

/** An error that Redis itself answered, as opposed to a failure to reach it. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

function unavailable(operation: string, error: unknown): RedisUnavailableError {
  const problem = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(operation, problem, { cause: error });
}
