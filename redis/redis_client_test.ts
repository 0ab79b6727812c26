// What the Redis engine relies on in ioredis, checked in each runtime against a real Redis:
// pub/sub on a duplicated connection, resubscription after a Redis restart, Lua by EVAL (also
// once Redis lost its script cache), and bounded calls (callRedis) while Redis is down.
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { redisFixture } from "../testing/redis_fixture.ts";
import { RedisUnavailableError } from "./errors.ts";
import { callRedis, ownedByLibrary } from "./redis_call.ts";
import { RedisScript } from "./redis_script.ts";

const redis = redisFixture();

/** A client that reconnects every 50 ms and keeps quiet about failed attempts. */
function newClient(): Redis {
  const client = new Redis(redis.url, { retryStrategy: () => 50 });
  client.on("error", () => {});
  return client;
}

function nextMessage(subscriber: Redis, timeoutMs = 3000): Promise<[string, string]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscriber.off("message", listener);
      reject(new Error(`no message within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (channel: string, message: string) => {
      clearTimeout(timer);
      subscriber.off("message", listener);
      resolve([channel, message]);
    };
    subscriber.on("message", listener);
  });
}

/** Publishes until someone receives it: after a restart the subscriber resubscribes soon. */
async function publishUntilReceived(client: Redis, channel: string, text: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await client.publish(channel, text).catch(() => 0)) === 0) {
    if (Date.now() > deadline) throw new Error(`nobody subscribed to ${channel} again`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("pub/sub on a duplicated connection, resubscribed by itself after Redis restarts", async () => {
  const client = newClient();
  const subscriber = client.duplicate();
  subscriber.on("error", () => {});
  const events: string[] = [];
  for (const event of ["close", "reconnecting", "ready"]) {
    subscriber.on(event, () => events.push(event));
  }
  try {
    assert.equal(await subscriber.subscribe("news", "alerts"), 2);
    const received = nextMessage(subscriber);
    assert.equal(await client.publish("news", "first"), 1);
    assert.deepEqual(await received, ["news", "first"]);

    await redis.server.restart();
    const afterRestart = nextMessage(subscriber, 6000);
    await publishUntilReceived(client, "alerts", "second");
    assert.deepEqual(await afterRestart, ["alerts", "second"]);
    assert.ok(events.includes("reconnecting") && events.includes("ready"), events.join());
  } finally {
    client.disconnect();
    subscriber.disconnect();
  }
});

test("RedisScript runs by EVAL, also once Redis lost its script cache", async () => {
  const client = newClient();
  const add = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  try {
    assert.equal(await add.run(client, ["counter"], [2]), 2);
    assert.deepEqual(await client.script("EXISTS", add.sha1), [1]);
    assert.equal(await add.run(client, ["counter"], [3]), 5);
    await redis.server.restart(); // empty: no keys, no cached scripts
    const value = await callRedis(client, 3000, "script", () => add.run(client, ["counter"], [7]));
    assert.equal(value, 7);
    await assert.rejects(
      new RedisScript("return redis.call('NOPE')").run(client, [], []),
      (error: Error) => error.name === "ReplyError",
    );
  } finally {
    client.disconnect();
  }
});

test("callRedis: bounded while Redis is down, Redis' own errors passed on, closed clients at once", async () => {
  const client = newClient();
  try {
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    await assert.rejects(
      callRedis(
        client,
        1000,
        "a wrong type",
        () => client.hset("s", "f", "v").then(() => client.get("s")),
      ),
      (error: Error) => error.name === "ReplyError",
    );
    await redis.server.pause();
    const lateness = LoopLateness.start();
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => callRedis(client, 200, "ping", () => client.ping())),
    );
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    assert.ok(
      elapsed < 600 + late,
      `settled after ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
    );
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.ok(result.reason instanceof RedisUnavailableError);
    }
    await redis.server.start();
    const deadline = Date.now() + 5000;
    while (client.status !== "ready" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
  } finally {
    client.disconnect();
  }
  const error = await callRedis(client, 1000, "ping", () => client.ping()).catch((e) => e);
  assert.ok(error instanceof RedisUnavailableError);
  assert.match(error.message, /closed/);
});

test("callRedis: bounded when Redis hangs (connection open, no reply), and fine after", async () => {
  const client = newClient();
  try {
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    redis.server.freeze();
    const lateness = LoopLateness.start();
    const started = Date.now();
    const error = await callRedis(client, 200, "ping", () => client.ping()).catch((e) => e);
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    assert.ok(error instanceof RedisUnavailableError, String(error));
    assert.match(error.message, /timed out after 200 ms \(no reply\)/);
    assert.ok(
      elapsed < 600 + late,
      `settled after ${elapsed} ms (event loop ${Math.round(late)} ms late)`,
    );
  } finally {
    redis.server.resume();
  }
  assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
  client.disconnect();
});

test("callRedis: a call made as the socket closes is not queued to run after it gave up", async () => {
  // Reconnects 300 ms after the loss, long after the call's 100 ms limit.
  const client = new Redis(redis.url, { retryStrategy: () => 300 });
  client.on("error", () => {});
  const key = `closing:${crypto.randomUUID()}`;
  try {
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    (client as unknown as { stream: { destroy(): void } }).stream.destroy();
    assert.equal(client.status, "ready"); // ioredis learns of the close a moment later
    const error = await callRedis(client, 100, "incr", () => client.incr(key)).catch((e) => e);
    assert.ok(error instanceof RedisUnavailableError, String(error));
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    assert.equal(await client.get(key), null, "the call that gave up never ran");
  } finally {
    client.disconnect();
  }
});

test("callRedis: a reply that arrived while the process stalled past the limit is taken", async () => {
  const client = ownedByLibrary(newClient());
  let reconnects = 0;
  client.on("reconnecting", () => reconnects++);
  try {
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    const call = callRedis(client, 300, "ping", () => client.ping());
    // The process stalls (a GC pause, a starved CPU) right after sending; Redis answers at once,
    // and its reply waits unread while the call's limit passes.
    // 380 ms: just past the limit, as much a stall as a longer one.
    const stallEnds = Date.now() + 380;
    while (Date.now() < stallEnds) { /* busy */ }
    assert.equal(await call, "PONG");
    assert.equal(await callRedis(client, 1000, "ping", () => client.ping()), "PONG");
    assert.equal(reconnects, 0, "the connection was not reset");
  } finally {
    client.disconnect();
  }
});

test("callRedis: a call sent with little of its limit left does not reset the new connection", async () => {
  // A call that waited for the connection (Redis restarting) goes out once it is ready, with
  // only the rest of its limit for the reply. Its silence then says nothing of the connection:
  // resetting it would drop every other command in flight on it (pushes Redis already ran,
  // reported as failed) and reconnect once more.
  const client = ownedByLibrary(
    new Redis(redis.url, {
      lazyConnect: true,
      retryStrategy: () => 50,
      autoResendUnfulfilledCommands: false,
    }),
  );
  client.on("error", () => {});
  let reconnects = 0;
  client.on("reconnecting", () => reconnects++);
  const admin = newClient();
  try {
    // Writes (PUBLISH) wait in Redis for 2 s; the handshake (HELLO, INFO) does not.
    await admin.call("CLIENT", "PAUSE", "2000", "WRITE");
    redis.server.freeze(); // the lazy client's handshake waits
    const late = callRedis(client, 600, "publish", () => client.publish("late", "1"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = new Promise<void>((resolve) => client.once("ready", () => resolve()));
    redis.server.resume(); // the handshake is answered: the call goes out with 300 ms left
    await ready;
    const other = callRedis(client, 3000, "publish", () => client.publish("other", "2"));
    const error = await late.catch((e) => e);
    assert.ok(error instanceof RedisUnavailableError, String(error));
    assert.match(error.message, /no reply/);
    assert.equal(await other, 0, "the call behind it is answered once the pause ends");
    assert.equal(reconnects, 0, "the connection was not reset");
  } finally {
    redis.server.resume();
    await admin.call("CLIENT", "UNPAUSE").catch(() => {});
    client.disconnect();
    admin.disconnect();
  }
});
