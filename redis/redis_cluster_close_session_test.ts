// Server.closeSession in a cluster on a real redis-server: whichever node closes the session and
// wherever its connections are, the session manager forgets it once, before the promise
// resolves, and only connections that still hold that key are detached.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { SessionNotFoundError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { Cluster, ClusterMessage, ClusterNode } from "../server/cluster.ts";
import type { Session, SessionLookupResult, SessionManager } from "../session/session_manager.ts";
import { encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { clusterNodeService } from "../testing/cluster_node.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin } from "../testing/raw_session.ts";
import { type RedisServer, startRedisServer } from "../testing/redis_server.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Server } from "../server/server.ts";
import { RedisCluster } from "./redis_cluster.ts";
import { RedisSessionManager } from "./redis_session_manager.ts";

let redis: RedisServer;
let prefixCount = 0;

before(async () => {
  redis = await startRedisServer();
});

after(async () => {
  await redis?.stop();
});

/** A promise with its resolve function. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => open = resolve);
  return { opened, open };
}

/**
 * The Redis session manager of one node, recording which keys it was told to forget; a lookup
 * of `holdLookupOf` waits until `lookupGate` opens (and says it started on `lookupStarted`).
 */
class RecordingManager implements SessionManager {
  readonly forgotten: string[] = [];
  holdLookupOf: string | undefined;
  readonly lookupStarted = gate();
  readonly lookupGate = gate();
  readonly #redis: RedisSessionManager;

  constructor(redis: RedisSessionManager) {
    this.#redis = redis;
  }

  onSessionCreated(session: Session): Promise<void> {
    return this.#redis.onSessionCreated(session);
  }

  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    if (key === this.holdLookupOf) {
      this.lookupStarted.open();
      await this.lookupGate.opened;
    }
    return await this.#redis.onSessionLookup(key);
  }

  onSessionClosed(key: string): Promise<void> {
    this.forgotten.push(key);
    return this.#redis.onSessionClosed(key);
  }

  onSessionReleased(key: string): Promise<void> {
    return this.#redis.onSessionReleased(key);
  }
}

/** The Redis cluster of one node; while `held`, what the other nodes publish waits. */
class HoldingCluster implements Cluster {
  held = false;
  readonly #waiting: ClusterMessage[] = [];
  #node: ClusterNode | undefined;
  readonly #redis: RedisCluster;

  constructor(redis: RedisCluster) {
    this.#redis = redis;
  }

  /** Delivers what waited and stops holding. */
  release(): void {
    this.held = false;
    for (const message of this.#waiting.splice(0)) this.#node!.deliver(message);
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  join(node: ClusterNode): Promise<void> {
    this.#node = node;
    return this.#redis.join({
      deliver: (message) => {
        if (this.held) this.#waiting.push(message);
        else node.deliver(message);
      },
    });
  }

  publish(message: ClusterMessage): Promise<void> {
    return this.#redis.publish(message);
  }

  acquireSession(key: string, max: number): Promise<boolean> {
    return this.#redis.acquireSession(key, max);
  }

  releaseSession(key: string): Promise<void> {
    return this.#redis.releaseSession(key);
  }

  takeOfflineSignals(key: string): Promise<Uint8Array[]> {
    return this.#redis.takeOfflineSignals(key);
  }

  sessionConnectionCount(key: string): Promise<number> {
    return this.#redis.sessionConnectionCount(key);
  }

  leave(): Promise<void> {
    return this.#redis.leave();
  }
}

interface Node {
  running: StartedServer;
  server: Server;
  manager: RecordingManager;
  cluster: HoldingCluster;
  redisSessions: RedisSessionManager;
}

interface Cluster2 {
  nodes: [Node, Node];
  /** Looks a key up in Redis directly (null: forgotten). */
  stored(key: string): Promise<SessionLookupResult | null>;
  /** Every key the session managers of both nodes were told to forget. */
  forgotten(key: string): number;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster2> {
  const keyPrefix = `close${++prefixCount}:`;
  const nodes: Node[] = [];
  for (const name of ["a", "b"]) {
    const redisSessions = new RedisSessionManager(redis.url, {
      keyPrefix,
      commandTimeout: 2000,
      logger: silentLogger,
    });
    const manager = new RecordingManager(redisSessions);
    const cluster = new HoldingCluster(
      new RedisCluster(redis.url, { keyPrefix, commandTimeout: 2000, logger: silentLogger }),
    );
    const holder: { server?: Server } = {};
    const running = await startServer({
      sessionManager: manager,
      cluster,
      logger: silentLogger,
      ...clusterNodeService(() => holder.server!, name),
    });
    holder.server = running.server;
    await running.server.clusterJoined;
    nodes.push({ running, server: running.server, manager, cluster, redisSessions });
  }
  const probe = new RedisSessionManager(redis.url, { keyPrefix, logger: silentLogger });
  return {
    nodes: nodes as [Node, Node],
    stored: (key) => probe.onSessionLookup(key),
    forgotten: (key) =>
      nodes.reduce((sum, node) => sum + node.manager.forgotten.filter((k) => k === key).length, 0),
    async stop() {
      for (const node of nodes) {
        node.cluster.release();
        await node.running.close();
        await node.redisSessions.close();
      }
      await probe.close();
    },
  };
}

interface Peer {
  client: Client;
  /** How many sessionclosed events the client fired. */
  closedEvents: number;
}

async function connect(node: Node): Promise<Peer> {
  const client = new Client(node.running.url, { logger: silentLogger, autoconnect: false });
  const peer = { client, closedEvents: 0 };
  client.addEventListener("sessionclosed", () => peer.closedEvents++);
  await client.connect();
  return peer;
}

async function login(node: Node): Promise<Peer & { key: string }> {
  const peer = await connect(node);
  await peer.client.request("login", "ada");
  await until(() => peer.client.session !== null, "logged in");
  return Object.assign(peer, { key: peer.client.session!.key });
}

test("closing on node A a session held only on node B: B's client loses it, Redis forgets it once", async () => {
  const cluster = await startCluster();
  const [a, b] = cluster.nodes;
  const peers: Peer[] = [];
  try {
    const onB = await login(b);
    peers.push(onB);
    assert.equal(await a.server.closeSession(onB.key), 0, "no connection of A held it");
    assert.equal(await cluster.stored(onB.key), null, "forgotten when closeSession resolved");
    await until(() => onB.closedEvents === 1, "B's client heard session-closed");
    assert.equal(onB.client.session, null);
    // Answered after B's connection finished closing the session.
    await assert.rejects(onB.client.restoreSession(onB.key), SessionNotFoundError);
    assert.deepEqual(b.server.sessionConnections(onB.key), []);
    assert.equal(await a.server.clusterSessionConnectionCount(onB.key), 0, "slot given back");
    assert.equal(cluster.forgotten(onB.key), 1, "the session managers were told once");
  } finally {
    for (const peer of peers) await peer.client.close();
    await cluster.stop();
  }
});

test("closing a session nobody holds: the session manager forgets it", async () => {
  const cluster = await startCluster();
  const [a, b] = cluster.nodes;
  try {
    const left = await login(b);
    await left.client.close();
    await until(() => b.server.sessionConnections(left.key).length === 0, "B's connection left");
    assert.notEqual(await cluster.stored(left.key), null, "a dropped connection keeps it stored");
    assert.equal(await a.server.closeSession(left.key), 0);
    assert.equal(await cluster.stored(left.key), null);
    assert.deepEqual(a.manager.forgotten, [left.key]);
  } finally {
    await cluster.stop();
  }
});

test("closing a session held on both nodes: forgotten before closeSession resolves, even while B has not heard yet", async () => {
  const cluster = await startCluster();
  const [a, b] = cluster.nodes;
  const peers: Peer[] = [];
  try {
    const onA = await login(a);
    const onB = await connect(b);
    peers.push(onA, onB);
    await onB.client.restoreSession(onA.key);
    assert.equal(await a.server.clusterSessionConnectionCount(onA.key), 2);

    b.cluster.held = true; // B hears of the close only when the test says so
    assert.equal(await a.server.closeSession(onA.key), 1, "A's connection detached");
    assert.equal(await cluster.stored(onA.key), null, "forgotten when closeSession resolved");
    await until(() => onA.closedEvents === 1, "A's client heard session-closed");
    await until(() => b.cluster.waiting > 0, "the close reached B");
    assert.equal(onB.closedEvents, 0);

    b.cluster.release();
    await until(() => onB.closedEvents === 1, "B's client heard session-closed");
    await assert.rejects(onB.client.restoreSession(onA.key), SessionNotFoundError);
    await assert.rejects(onA.client.restoreSession(onA.key), SessionNotFoundError);
    assert.equal(await a.server.clusterSessionConnectionCount(onA.key), 0, "slots given back");
    assert.equal(cluster.forgotten(onA.key), 1, "the session managers were told once");
  } finally {
    for (const peer of peers) await peer.client.close();
    await cluster.stop();
  }
});

test("a connection that restored another session before the close took effect keeps it", async () => {
  const cluster = await startCluster();
  const [a, b] = cluster.nodes;
  const raw = await RawClient.handshake(a.running.url);
  try {
    const ada = await rawLogin(raw, "ada");
    const other = await login(b);
    await other.client.close();

    // Ada's connection switches to the other session; its lookup waits for the test.
    a.manager.holdLookupOf = other.key;
    raw.send(encodeRestoreSession(requestIdFromNumber(1), other.key));
    await a.manager.lookupStarted.opened;
    assert.equal(a.server.sessionConnections(ada.key).length, 1, "still holds the old key");
    const closing = a.server.closeSession(ada.key);
    a.manager.lookupGate.open();
    const restored = await raw.next();
    assert.equal(restored.kind, "reply");
    const detached = await closing;

    assert.equal(detached, 0, "the connection held another key when the close took effect");
    raw.send(encodeRequest({ id: requestIdFromNumber(2), name: "whoami" }));
    const whoami = await raw.next();
    assert.equal(whoami.kind, "reply", "no session-closed before the whoami reply");
    assert.equal(a.server.sessionConnections(other.key).length, 1);
    assert.notEqual(await cluster.stored(other.key), null, "the other session stays stored");
    assert.equal(await cluster.stored(ada.key), null, "the closed one is forgotten");
    assert.equal(cluster.forgotten(other.key), 0);
  } finally {
    raw.close();
    await cluster.stop();
  }
});
