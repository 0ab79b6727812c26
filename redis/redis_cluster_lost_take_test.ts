// A restore takes the signals kept for its session while Redis hangs: the take times out, and
// the hung Redis runs it once it wakes. What it took must not be lost: the node gives it back
// at a later heartbeat, to the restored connection (or kept again when nobody holds the session).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { silentLogger } from "../protocol/logger.ts";
import type { Server } from "../server/server.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { connectPeer, type Peer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();
let prefixes = 0;

/** A session manager that hangs Redis (SIGSTOP) right after a lookup answered, once asked. */
class HangAfterLookup extends RedisSessionManager {
  hangNext = false;
  override async onSessionLookup(key: string) {
    const found = await super.onSessionLookup(key);
    if (this.hangNext) {
      this.hangNext = false;
      redis.server.freeze();
    }
    return found;
  }
}

/**
 * One node with short timeouts (by default; a heartbeat every third of `nodeTtl`); a user
 * logged in, gone, and two signals kept for it.
 */
async function keptForOfflineUser(commandTimeout = 300, nodeTtl = 1500) {
  const keyPrefix = `lost${++prefixes}:`;
  const options = { keyPrefix, commandTimeout, logger: silentLogger };
  const sessions = new HangAfterLookup(redis.url, options);
  const cluster = new RedisCluster(redis.url, { ...options, nodeTtl });
  const holder: { server?: Server } = {};
  const running = await startServer({
    sessionManager: sessions,
    cluster,
    logger: silentLogger,
    ...clusterNodeService(() => holder.server!, "n1"),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  const joinedAt = performance.now(); // about when the interval of heartbeats began
  /** Waits until `offset` ms after the next heartbeat of the interval. */
  const afterNextBeat = (offset: number) => {
    const interval = Math.floor(nodeTtl / 3);
    const since = (performance.now() - joinedAt) % interval;
    return new Promise((resolve) => setTimeout(resolve, interval - since + offset));
  };
  const probe = new Redis(redis.url);
  const laptop = await connectPeer({ running });
  await laptop.client.request("login", "ada");
  const key = laptop.client.session!.key;
  await laptop.client.close();
  await until(() => running.server.activeSessionsCount === 0, "the laptop left");
  running.server.signalSession(key, "mail", "1");
  running.server.signalSession(key, "mail", "2");
  const offline = `${keyPrefix}offline:${key}`;
  const kept = () => probe.llen(offline);
  await until(async () => await kept() === 2, "both kept");
  const takenCopies = () => probe.keys(`${keyPrefix}taken:*`);
  const stop = async () => {
    redis.server.resume();
    probe.disconnect();
    await running.close();
    await sessions.close();
  };
  return { running, sessions, key, kept, takenCopies, afterNextBeat, stop };
}

test("signals taken by a restore while Redis hangs reach the restored connection later", async () => {
  const { running, sessions, key, takenCopies, stop } = await keptForOfflineUser();
  let phone: Peer | undefined;
  try {
    phone = await connectPeer({ running });
    sessions.hangNext = true;
    await phone.client.restoreSession(key); // its take of the kept signals times out
    await new Promise((resolve) => setTimeout(resolve, 600));
    redis.server.resume(); // Redis runs the take it had received, whose reply nobody awaits
    await until(() => phone!.signals.length === 2, `both arrived: ${phone!.signals}`);
    assert.deepEqual(phone.signals, ["mail:1", "mail:2"]);
    assert.deepEqual(await takenCopies(), []);
  } finally {
    await phone?.client.close();
    await stop();
  }
});

test("signals of a lost take reach the restored connection once, though heartbeats overlap", async () => {
  // Heartbeats every second (b), each call waiting up to 600 ms. The restore begins at b + 50:
  // its take times out (Redis hangs) at about b + 660, and resets the connection; the beat of
  // b + 1000 waits for the reconnect, which Redis answers at b + 1250: that beat and the one
  // the reconnect starts run at once. Each gives back the lost take's signals: only one may.
  const kept = await keptForOfflineUser(600, 3000);
  const { running, sessions, key, takenCopies, afterNextBeat, stop } = kept;
  let phone: Peer | undefined;
  try {
    phone = await connectPeer({ running });
    await afterNextBeat(50);
    sessions.hangNext = true;
    await phone.client.restoreSession(key); // its take of the kept signals times out
    await afterNextBeat(250);
    redis.server.resume();
    await until(() => phone!.signals.length >= 2, `both arrived: ${phone!.signals}`);
    await until(async () => (await takenCopies()).length === 0, "the copy went");
    await afterNextBeat(100); // and one heartbeat more
    assert.deepEqual(phone.signals, ["mail:1", "mail:2"]);
  } finally {
    await phone?.client.close();
    await stop();
  }
});

test("a take that got its reply leaves no copy of the signals behind", async () => {
  const { running, key, takenCopies, stop } = await keptForOfflineUser();
  let phone: Peer | undefined;
  try {
    phone = await connectPeer({ running });
    await phone.client.restoreSession(key);
    await until(() => phone!.signals.length === 2, "both arrived");
    await until(async () => (await takenCopies()).length === 0, "the copy went");
  } finally {
    await phone?.client.close();
    await stop();
  }
});

test("signals taken while Redis hangs by a restore whose connection is gone are kept again", async () => {
  const { running, sessions, key, kept, stop } = await keptForOfflineUser();
  let phone: Peer | undefined;
  let tablet: Peer | undefined;
  try {
    phone = await connectPeer({ running });
    sessions.hangNext = true;
    await phone.client.restoreSession(key); // its take of the kept signals times out
    await phone.client.close();
    await until(() => running.server.activeSessionsCount === 0, "the phone left");
    redis.server.resume();
    // Given back at a heartbeat once the phone's slot is given back in Redis too: kept again.
    await until(async () => await kept() === 2, "kept again");
    tablet = await connectPeer({ running });
    await tablet.client.restoreSession(key);
    await until(() => tablet!.signals.length === 2, `both arrived: ${tablet!.signals}`);
    assert.deepEqual(tablet.signals, ["mail:1", "mail:2"]);
  } finally {
    await phone?.client.close();
    await tablet?.client.close();
    await stop();
  }
});
