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

/** One promise per client that resolves on its next `ready` event, shared by waiting calls. */
const nextReady = new WeakMap<RedisClient, Promise<void>>();

function whenReady(client: RedisClient): Promise<void> {
  let ready = nextReady.get(client);
  if (ready === undefined) {
    ready = new Promise<void>((resolve) => {
      client.once("ready", () => {
        nextReady.delete(client);
        resolve();
      });
    });
    nextReady.set(client, ready);
  }
  return ready;
}

/**
 * Runs `command` on `client` once the connection is ready, and settles within `timeoutMs`.
 *
 * - A call is sent only on a ready connection: while the client is (re)connecting the call
 *   waits for it, up to the time limit, and is not queued inside the client. So when Redis is
 *   down calls reject after `timeoutMs` and leave nothing behind to run later. (A command that
 *   was sent just as the connection broke may still be resent by the client on reconnect.)
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
    const timer = setTimeout(() => {
      settled = true;
      const waiting = client.status === "ready" ? "no reply" : `connection ${client.status}`;
      reject(new RedisUnavailableError(operation, `timed out after ${timeoutMs} ms (${waiting})`));
    }, timeoutMs);
    const run = (): void => {
      if (settled) return;
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
          reject(isReplyError(error) ? error : unavailable(operation, error));
        },
      );
    };
    if (client.status === "ready") {
      run();
      return;
    }
    if (client.status === "wait") client.connect().catch(() => {});
    void whenReady(client).then(run);
  });
}

/** An error that Redis itself answered, as opposed to a failure to reach it. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

function unavailable(operation: string, error: unknown): RedisUnavailableError {
  const problem = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(operation, problem, { cause: error });
}
