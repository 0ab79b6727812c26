// What a node pushes without awaiting in between goes to Redis as one command per 256
// messages and reaches the other node in order, on a real redis-server: session signals
// (published or kept), topic messages, closes; a batch Redis does not take counts every one of
// its messages as not relayed, once; a signal Redis refuses fails alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { Client } from "../client/client.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { ClusterMessage } from "../server/cluster.ts";
import {
  connectPeer,
  gatedClusterFixture,
  type GatedNode,
  loginPeer,
  type Peer,
} from "../testing/gated_cluster.ts";
import { until } from "../testing/until.ts";
import { RedisCluster, type RedisClusterOptions } from "./redis_cluster.ts";

const clusters = gatedClusterFixture("batch");

/** What a test gets: nodes A and B, its clients, a Redis connection of its own. */
interface Fixture {
  readonly a: GatedNode;
  readonly b: GatedNode;
  /** A client on `node`, logged in to a new session with `login`; closed after the test. */
  readonly listen: (node: GatedNode, login?: boolean) => Promise<Peer & { key: string }>;
  /** A plain connection to the test's Redis. */
  readonly probe: Redis;
  /** The prefix of the nodes' Redis keys. */
  readonly keyPrefix: string;
}

/**
 * Runs `body` on fresh nodes A and B whose links give up on Redis after 400 ms (and take
 * `options`); closes its clients, then the nodes, after it.
 */
async function withNodes(
  options: RedisClusterOptions,
  body: (fixture: Fixture) => Promise<void>,
): Promise<void> {
  const cluster = await clusters.start(undefined, { commandTimeout: 400, ...options });
  const [a, b] = cluster.nodes;
  const clients: Client[] = [];
  const probe = new Redis(clusters.redis.url);
  try {
    await body({
      a,
      b,
      probe,
      keyPrefix: cluster.keyPrefix,
      listen: async (node, login = false) => {
        const peer = login
          ? await loginPeer(node)
          : Object.assign(await connectPeer(node), { key: "" });
        clients.push(peer.client);
        return peer;
      },
    });
  } finally {
    probe.disconnect();
    for (const client of clients) await client.close();
    await cluster.stop();
  }
}

/** Top-level script calls Redis has run so far (EVALSHA and EVAL, from INFO commandstats). */
async function scriptCalls(): Promise<number> {
  const probe = new Redis(clusters.redis.url);
  try {
    const info = String(await probe.call("INFO", "commandstats"));
    let calls = 0;
    for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) {
      calls += Number(match[2]);
    }
    return calls;
  } finally {
    probe.disconnect();
  }
}

const signal = (name: string, text: string) => encodeSignal({ name, payload: text });

const numbered = (name: string, from: number, to: number, step: number) =>
  Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => `${name}:${from + i * step}`);

test("a burst of session signals and topic messages in one turn: one script call per 256, all in order", async () => {
  await withNodes({}, async ({ a, b, listen }) => {
    const held = await listen(b, true);
    const member = await listen(b);
    await member.client.request("join", "room");
    const away = await listen(b, true);
    await away.client.close();
    await until(async () => await a.server.clusterSessionConnectionCount(away.key) === 0, "left");

    const callsBefore = await scriptCalls();
    // 300 + 100 + 60 = 460 messages in one turn: two batches.
    for (let i = 0; i < 300; i++) {
      a.server.signalSession(held.key, "s", String(i));
      if (i % 3 === 0) a.server.signalSession(away.key, "k", String(i));
      if (i % 5 === 0) a.server.publish("room", "t", String(i));
    }
    await until(() => held.signals.length === 300 && member.signals.length === 60, "delivered");
    assert.deepEqual(held.signals, numbered("s", 0, 300, 1));
    assert.deepEqual(member.signals, numbered("t", 0, 300, 5));
    const calls = await scriptCalls() - callsBefore;
    assert.ok(calls >= 2 && calls <= 4, `two batches, one script call each: ${calls} calls`);

    const back = await listen(a);
    await back.client.restoreSession(away.key);
    await until(() => back.signals.length === 100, "the kept signals were replayed");
    assert.deepEqual(back.signals, numbered("k", 0, 300, 3));
    assert.equal(a.server.clusterErrors, 0);
  });
});

test("a close in a batch drops the signals kept before it, not those after it, and detaches the holders", async () => {
  await withNodes({}, async ({ a, b, listen }) => {
    const closing = await listen(b, true);
    const away = await listen(b, true);
    await away.client.close();
    await until(async () => await a.server.clusterSessionConnectionCount(away.key) === 0, "left");
    // Straight to node A's link, as its server relays once the session manager forgot them.
    await Promise.all([
      a.link.publish({ kind: "signal-session", key: away.key, signal: signal("k", "before") }),
      a.link.publish({ kind: "close-session", key: away.key }),
      a.link.publish({ kind: "signal-session", key: away.key, signal: signal("k", "after") }),
      a.link.publish({ kind: "close-session", key: closing.key }),
    ]);
    await until(() => closing.closedEvents === 1, "B detached the closed session's client");
    const kept = await a.link.takeOfflineSignals(away.key);
    assert.deepEqual(kept.map((bytes) => new TextDecoder().decode(bytes.subarray(-5))), ["after"]);
  });
});

test("a batch Redis does not take in time: each of its messages is reported once", async () => {
  await withNodes({}, async ({ a, b, listen, probe }) => {
    const held = await listen(b, true);
    // Writes (PUBLISH and scripts included) wait until unpaused (at most 10 s, longer than a
    // stalled test process); the link gives up after 400 ms.
    await probe.call("CLIENT", "PAUSE", 10_000, "WRITE");
    try {
      for (let i = 0; i < 10; i++) a.server.signalSession(held.key, "s", String(i));
      for (let i = 0; i < 5; i++) a.server.publish("room", "t", String(i));
      await until(() => a.server.clusterErrors === 15, "every message reported");
      assert.deepEqual(
        a.failed.map((message) => message.kind),
        [...Array(10).fill("signal-session"), ...Array(5).fill("publish")],
      );
    } finally {
      await probe.call("CLIENT", "UNPAUSE");
    }
    // Redis may still run the paused batch late; what comes after it is relayed again.
    a.server.signalSession(held.key, "s", "later");
    await until(() => held.signals.at(-1) === "s:later", "relayed again");
    assert.equal(a.server.clusterErrors, 15, "reported once each, not again");
  });
});

test("batchSize 1 sends each push as its own message, as nodes before batches read them", async () => {
  await withNodes({ batchSize: 1 }, async ({ a, b, listen, probe }) => {
    const held = await listen(b, true);
    const member = await listen(b);
    await member.client.request("join", "room");
    const kinds: number[] = [];
    probe.on("messageBuffer", (_channel: Uint8Array, bytes: Uint8Array) => kinds.push(bytes[0]));
    await probe.subscribe(a.link.channel);
    const callsBefore = await scriptCalls();
    for (let i = 0; i < 20; i++) {
      a.server.signalSession(held.key, "s", String(i));
      a.server.publish("room", "t", String(i));
    }
    await until(() => held.signals.length === 20 && member.signals.length === 20, "delivered");
    assert.deepEqual(held.signals, numbered("s", 0, 20, 1));
    assert.deepEqual(member.signals, numbered("t", 0, 20, 1));
    assert.equal(await scriptCalls() - callsBefore, 20, "one script per session signal");
    await until(() => kinds.length === 40, "all seen on the channel");
    assert.ok(kinds.every((kind) => kind !== 5), `no batch frame: ${kinds}`);
    assert.throws(() => new RedisCluster(clusters.redis.url, { batchSize: 0 }), RangeError);
  });
});

test("a script batch is not overtaken by the next command when Redis lost its scripts", async () => {
  await withNodes({}, async ({ a, b, listen, probe }) => {
    const held = await listen(b, true);
    await held.client.request("join", "room");
    await probe.call("SCRIPT", "FLUSH");
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      const message: ClusterMessage = {
        kind: "signal-session",
        key: held.key,
        signal: signal("s", String(i)),
      };
      sent.push(a.link.publish(message));
    }
    await Promise.resolve(); // the script's batch is on its way; the topic batch follows it
    for (let i = 0; i < 5; i++) {
      const message: ClusterMessage = {
        kind: "publish",
        topic: "room",
        signal: signal("t", `${i}`),
      };
      sent.push(a.link.publish(message));
    }
    await Promise.all(sent);
    await until(() => held.signals.length === 10, "delivered");
    assert.deepEqual(held.signals, [...numbered("s", 0, 5, 1), ...numbered("t", 0, 5, 1)]);
  });
});

test("what was published before a session slot is taken reaches Redis before it", async () => {
  await withNodes({}, async ({ a }) => {
    const key = "taken-right-after";
    const sent = a.link.publish({ kind: "signal-session", key, signal: signal("k", "early") });
    const taken = a.link.acquireSession(key, 0);
    await sent;
    assert.equal(await taken, true);
    // Nobody held the session when the signal was sent: it was kept, not published.
    const kept = await a.link.takeOfflineSignals(key);
    assert.deepEqual(kept.map((bytes) => new TextDecoder().decode(bytes.subarray(-5))), ["early"]);
    await a.link.releaseSession(key);
  });
});

test("the count bound holds inside a batch: the newest are kept, the others counted", async () => {
  await withNodes({ offlineSignals: { maxCount: 10 } }, async ({ a }) => {
    const key = "nobody-holds-it";
    const signals = Array.from({ length: 30 }, (_, i) => signal("k", String(i + 10)));
    await Promise.all(
      signals.map((bytes) => a.link.publish({ kind: "signal-session", key, signal: bytes })),
    );
    assert.equal(a.link.droppedOfflineSignals, 20);
    const kept = await a.link.takeOfflineSignals(key);
    const texts = kept.map((bytes) => new TextDecoder().decode(bytes.subarray(-2)));
    assert.deepEqual(texts, Array.from({ length: 10 }, (_, i) => String(i + 30)));
  });
});

test("a session signal Redis refuses fails alone: the rest of its batch still goes", async () => {
  await withNodes({}, async ({ a, b, listen, probe, keyPrefix }) => {
    const held = await listen(b, true);
    // Keys of the wrong type: one session's list of kept signals, another one's holders.
    await probe.call("SET", `${keyPrefix}offline:bad-list`, "not a list");
    await probe.call("SET", `${keyPrefix}holders:bad-holders`, "not a hash");
    await probe.call("RPUSH", `${keyPrefix}offline:closed`, "kept before its close");
    const send = (key: string, text: string) =>
      a.link.publish({ kind: "signal-session", key, signal: signal("s", text) });
    const callsBefore = await scriptCalls();
    const results = await Promise.allSettled([
      send("kept", "1"),
      send("bad-list", "2"),
      a.link.publish({ kind: "close-session", key: "closed" }),
      send(held.key, "3"),
      send("bad-holders", "4"),
      a.link.publish({ kind: "publish", topic: "room", signal: signal("t", "5") }),
      send("kept", "6"),
    ]);
    assert.equal(await scriptCalls() - callsBefore, 1, "one batch");
    assert.deepEqual(
      results.map((result) => result.status),
      ["fulfilled", "rejected", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"],
    );
    for (const index of [1, 4]) {
      const reason = (results[index] as PromiseRejectedResult).reason as Error;
      assert.equal(reason.name, "ReplyError");
      assert.match(reason.message, /WRONGTYPE/);
    }
    await until(() => held.signals.includes("s:3"), "the held session's signal delivered");
    const kept = await a.link.takeOfflineSignals("kept");
    assert.deepEqual(kept.map((bytes) => new TextDecoder().decode(bytes.subarray(-1))), ["1", "6"]);
    assert.equal(await probe.exists(`${keyPrefix}offline:closed`), 0, "the close ran");
    assert.equal(await probe.call("GET", `${keyPrefix}offline:bad-list`), "not a list");

    // Through the server: only the refused signal is counted and reported.
    a.server.signalSession("bad-list", "s", "7");
    a.server.signalSession(held.key, "s", "8");
    await until(() => held.signals.includes("s:8"), "the next signal delivered");
    await until(() => a.server.clusterErrors === 1, "the refused signal reported");
    assert.deepEqual(
      a.failed.map((message) => message.kind === "signal-session" ? message.key : message.kind),
      ["bad-list"],
    );
  });
});
