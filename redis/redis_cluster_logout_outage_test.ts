// A logout (close-session by the session's last connection) while the node's cluster link is cut:
// the client is answered, and the session is destroyed once Redis answers again, so that its key
// restores nothing. Real redis-server, a real TCP cut in between.
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { SessionNotFoundError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startCuttableProxy } from "../testing/cuttable_proxy.ts";
import { connectPeer, type Peer } from "../testing/gated_cluster.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startRedisNode } from "../testing/redis_node.ts";
import { until } from "../testing/until.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

const redis = redisFixture();

test("a logout while the cluster link is cut destroys the session once Redis answers", async () => {
  const keyPrefix = "logoutcut:";
  const proxy = await startCuttableProxy(redis.server.port);
  // Heartbeats about once a second: the slot the cut kept is written again soon after it.
  const node = await startRedisNode({
    clusterUrl: proxy.url,
    keyPrefix,
    nodeTtl: 3000,
    sessions: new RedisSessionManager(redis.url, { keyPrefix, logger: silentLogger }),
    server: { sessionIdleTimeout: 3_600_000 },
  });
  const running = node.running;
  const probe = new Redis(redis.url);
  const peers: Peer[] = [];
  try {
    const ada = await connectPeer({ running });
    peers.push(ada);
    await ada.client.request("login", "ada");
    await until(() => ada.client.session !== null, "logged in");
    const key = ada.client.session!.key;
    proxy.cut();
    await ada.client.closeSession(); // the count of holders times out: answered all the same
    assert.equal(ada.client.session, null);
    proxy.heal();
    await until(
      async () => await probe.exists(`${keyPrefix}session:${key}`) === 0,
      "the logged-out session destroyed",
      15_000,
    );
    const other = await connectPeer({ running });
    peers.push(other);
    await assert.rejects(other.client.restoreSession(key), SessionNotFoundError);
  } finally {
    for (const peer of peers) await peer.client.close();
    probe.disconnect();
    await node.stop();
    await proxy.close();
  }
});
