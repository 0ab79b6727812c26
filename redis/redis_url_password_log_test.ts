// A Redis URL's password never reaches the log: a session manager made from a URL with a
// password reports an outage with the URL it connects to, the password replaced by `***`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startRedisServer } from "../testing/redis_server.ts";
import { until } from "../testing/until.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

test("an outage of a session manager's Redis is logged without the URL's password", async () => {
  const redis = await startRedisServer();
  const { logger, warnings } = recordingLogger();
  let manager: RedisSessionManager | undefined;
  try {
    const admin = new Redis(redis.url);
    await admin.config("SET", "requirepass", "s3cret");
    admin.disconnect();
    const url = `redis://:s3cret@127.0.0.1:${redis.port}`;
    manager = new RedisSessionManager(url, { commandTimeout: 500, logger });
    assert.equal(await manager.hasSession("A".repeat(64)), false); // the password works
    await redis.pause(); // Redis goes away while the manager runs
    await until(() => warnings.length > 0, "the outage was logged");
    assert.ok(warnings[0].includes(`redis://:***@127.0.0.1:${redis.port}`), warnings[0]);
    assert.ok(warnings.every((line) => !line.includes("s3cret")), warnings.join("\n"));
  } finally {
    await manager?.close();
    await redis.stop();
  }
});
