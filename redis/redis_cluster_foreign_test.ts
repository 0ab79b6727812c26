// What another program publishes on a cluster's channel: bytes shaped like a cluster message
// whose signal is not a WebWire signal never reach a client (which would close its connection
// as broken); they are dropped and logged at the 1st, 10th, 100th, ... one, and real pushes
// go on. Real redis-server, real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { connectPeer } from "../testing/gated_cluster.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Server } from "../server/server.ts";
import { encodeClusterMessage } from "./cluster_message.ts";
import { RedisCluster } from "./redis_cluster.ts";

const redis = redisFixture();

test("bytes on the channel that are not WebWire signals reach no client and are logged sparingly", async () => {
  const keyPrefix = "foreign:";
  const { logger, warnings } = recordingLogger();
  const cluster = new RedisCluster(redis.url, { keyPrefix, logger: silentLogger });
  const holder: { server?: Server } = {};
  const running = await startServer({
    cluster,
    sessionsEnabled: false,
    logger,
    ...clusterNodeService(() => holder.server!, "node-1"),
  });
  holder.server = running.server;
  await running.server.clusterJoined;
  const foreign = new Redis(redis.url);
  const peer = await connectPeer({ running });
  let disconnects = 0;
  peer.client.addEventListener("disconnected", () => disconnects++);
  try {
    const notASignal = new TextEncoder().encode("not webwire");
    const reply = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8]); // a reply, not a signal
    const bad = [
      encodeClusterMessage("other", { kind: "broadcast", signal: notASignal }),
      encodeClusterMessage("other", { kind: "broadcast", signal: new Uint8Array(0) }),
      encodeClusterMessage("other", { kind: "broadcast", signal: reply }),
      ...Array.from({ length: 9 }, (_, i) =>
        encodeClusterMessage("other", {
          kind: "publish",
          topic: "room",
          signal: notASignal.subarray(0, i),
        })),
    ];
    for (const bytes of bad) await foreign.publish(`${keyPrefix}cluster`, Buffer.from(bytes));
    const good = encodeSignal({ name: "news", payload: "still here" });
    await foreign.publish(
      `${keyPrefix}cluster`,
      Buffer.from(encodeClusterMessage("other", { kind: "broadcast", signal: good })),
    );
    await until(() => peer.signals.length === 1, "the real broadcast arrived");
    assert.deepEqual(peer.signals, ["news:still here"]);
    assert.equal(disconnects, 0, "the client kept its connection");
    assert.equal(running.server.connectionCount, 1);
    const dropped = warnings.filter((line) => line.includes("not a WebWire signal message"));
    assert.equal(dropped.length, 2, `the 1st and the 10th of 12 are logged: ${dropped}`);
    assert.match(dropped[1], /\(10 so far\)/);
  } finally {
    foreign.disconnect();
    await peer.client.close();
    await running.close();
  }
});
