/**
 * One redis-server per test file: `node:test` hooks start it before the file's first test and
 * stop it after its last, and the tests reach it through the returned fixture.
 *
 * @example
 * ```ts ignore
 * import { test } from "node:test";
 * import { Redis } from "ioredis";
 * import { redisFixture } from "./redis_fixture.ts";
 * const redis = redisFixture();
 * test("Redis answers", async () => {
 *   const client = new Redis(redis.url);
 *   console.assert(await client.ping() === "PONG");
 *   client.disconnect();
 * });
 * ```
 * @module
 */

import { after, before } from "node:test";
import { type RedisServer, startRedisServer } from "./redis_server.ts";

/**
 * The redis-server of one test file, once its `before` hook ran.
 *
 * @example
 * ```ts ignore
 * import type { RedisFixture } from "./redis_fixture.ts";
 * const outage = (redis: RedisFixture) => redis.server.pause();
 * ```
 */
export interface RedisFixture {
  /** The server, to stop, pause or restart it. */
  readonly server: RedisServer;
  /** Its `redis://127.0.0.1:<port>` URL. */
  readonly url: string;
}

/**
 * What a test file does with its redis-server besides the tests: `started` runs in the `before`
 * hook once the server answers (start the processes that use it), `stopping` in the `after` hook
 * before the server stops (stop them while Redis is still there). `after` hooks run in the
 * order they were registered, so a file's own `after` would run once Redis is gone.
 *
 * @example
 * ```ts ignore
 * import { Redis } from "ioredis";
 * import { redisFixture, type RedisFixtureHooks } from "./redis_fixture.ts";
 * let inspector: Redis | undefined;
 * const hooks: RedisFixtureHooks = {
 *   started: (server) => void (inspector = new Redis(server.url)),
 *   stopping: () => inspector?.disconnect(),
 * };
 * const redis = redisFixture(hooks);
 * ```
 */
export interface RedisFixtureHooks {
  /** Runs once the server answers, before the file's first test. */
  started?(server: RedisServer): void | Promise<void>;
  /** Runs after the file's last test, before the server stops (also when a test failed). */
  stopping?(): void | Promise<void>;
}

/**
 * Registers the `before` and `after` hooks of the calling test file that start and stop its
 * redis-server (a missing `redis-server` fails the file with an install hint), with `hooks`
 * around them. Call it at the top level of the file.
 *
 * @example
 * ```ts ignore
 * import { test } from "node:test";
 * import { redisFixture } from "./redis_fixture.ts";
 * const redis = redisFixture();
 * test("a restart keeps the port", async () => {
 *   const url = redis.url;
 *   await redis.server.restart();
 *   console.assert(redis.url === url);
 * });
 * ```
 */
export function redisFixture(hooks: RedisFixtureHooks = {}): RedisFixture {
  let started: RedisServer | undefined;
  before(async () => {
    started = await startRedisServer();
    await hooks.started?.(started);
  });
  after(async () => {
    try {
      await hooks.stopping?.();
    } finally {
      await started?.stop(); // unset when redis-server could not start
    }
  });
  const server = (): RedisServer => {
    if (started === undefined) throw new Error("the redis-server starts before the first test");
    return started;
  };
  return {
    get server() {
      return server();
    },
    get url() {
      return server().url;
    },
  };
}
