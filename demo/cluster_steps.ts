/**
 * The cluster demo's scenario (see `run_cluster_demo.ts`): three nodes on one Redis, one per
 * runtime (`testing/cluster_node.ts`), and clients of this library's client class hopping
 * between them: a login on one node restored on the others, the session limit counted across
 * nodes, a signal to the session from a node that holds none of it, a topic publish crossing
 * nodes, and a node killed with SIGKILL whose session lives on, with the signals sent
 * meanwhile replayed in order after the restore on another node.
 *
 * @module
 */

import { Client, MaxSessionConnectionsError } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import {
  type NodeProcess,
  type NodeRuntime,
  startNodeProcess,
} from "../testing/cluster_processes.ts";
import type { RedisServer } from "../testing/redis_server.ts";
import { clientWebSocketHere } from "./serve_here.ts";
import { describe, short, show } from "./shown_values.ts";
import type { Transcript } from "./transcript.ts";
import { nextEvent, outcome, sleep } from "./waiting.ts";

/** How long any single wait may take before it counts as a failure (2 shared cores, 3 nodes). */
const patience = 5000;
/** Session connections the nodes allow, counted across the cluster. */
const maxSessionConnections = 2;
const runtimes: readonly { runtime: NodeRuntime; adapter: string }[] = [
  { runtime: "deno", adapter: "Deno, serveDeno" },
  { runtime: "bun", adapter: "Bun, serveBun" },
  { runtime: "node", adapter: "Node, serveNode" },
];

/** One node of the demo's cluster. */
export interface DemoNode {
  /** `node-1`, `node-2`, `node-3`. */
  readonly name: string;
  readonly process: NodeProcess;
  /** A client on this node for the admin requests (signal, publish, count). */
  admin: Client;
}

/** A client of the demo: a device of a user, recording the signals it gets. */
export interface Device {
  readonly label: string;
  readonly client: Client;
  readonly node: DemoNode;
  readonly signals: string[];
}

/**
 * Everything the scenario's steps share: the transcript, the nodes, every client made (closed
 * by the caller at the end), the user's session and where each of the user's devices is.
 *
 * @example
 * ```ts
 * import type { ClusterStage } from "./cluster_steps.ts";
 * import { Transcript } from "./transcript.ts";
 * const lines: string[] = [];
 * const stage: ClusterStage = {
 *   t: new Transcript((line) => lines.push(line)),
 *   nodes: [],
 *   nodeTtl: 1500,
 *   clients: [],
 *   key: "",
 *   devices: new Map(),
 * };
 * stage.t.check(stage.nodes.length === 0, "no node before startCluster");
 * console.assert(lines[0] === "  ok    no node before startCluster");
 * ```
 */
export interface ClusterStage {
  readonly t: Transcript;
  readonly nodes: readonly DemoNode[];
  readonly nodeTtl: number;
  /** Every client made, closed at the end. */
  readonly clients: Client[];
  /** The session of the user, once logged in. */
  key: string;
  /** Where each of the user's devices is connected now, by label. */
  readonly devices: Map<string, Device>;
}

/**
 * The scenario after {@link startCluster}, in order; each step writes its section of the
 * transcript and checks its own results.
 *
 * @example
 * ```ts
 * import { type ClusterStage, clusterSteps, startCluster } from "./cluster_steps.ts";
 * import type { NodeProcess } from "../testing/cluster_processes.ts";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { Transcript } from "./transcript.ts";
 * const redis = await startRedisServer();
 * const t = new Transcript(() => {});
 * const devices = new Map();
 * const stage: ClusterStage = { t, nodes: [], nodeTtl: 1500, clients: [], key: "", devices };
 * const processes: NodeProcess[] = [];
 * await startCluster(stage, redis, processes);
 * for (const step of clusterSteps) await step(stage);
 * console.assert(t.ok && t.checks > 15, t.failures.join("; "));
 * await Promise.all(stage.clients.map((client) => client.close()));
 * await Promise.all(processes.map((node) => node.stop()));
 * await redis.stop();
 * ```
 */
export const clusterSteps: readonly ((stage: ClusterStage) => Promise<void>)[] = [
  loginAndRestore,
  hopping,
  sessionLimit,
  signalFromThirdNode,
  topicAcrossNodes,
  nodeKilled,
];

/**
 * Starts the three nodes on `redis` (pushing each process to `processes` as soon as it runs,
 * so that the caller can stop them whatever happens), connects an admin client to each and
 * checks that each answers with its name.
 *
 * @example
 * ```ts
 * import { type ClusterStage, startCluster } from "./cluster_steps.ts";
 * import type { NodeProcess } from "../testing/cluster_processes.ts";
 * import { startRedisServer } from "../testing/redis_server.ts";
 * import { Transcript } from "./transcript.ts";
 * const redis = await startRedisServer();
 * const t = new Transcript(() => {});
 * const devices = new Map();
 * const stage: ClusterStage = { t, nodes: [], nodeTtl: 1500, clients: [], key: "", devices };
 * const processes: NodeProcess[] = [];
 * await startCluster(stage, redis, processes);
 * console.assert(stage.nodes.map((node) => node.process.runtime).join() === "deno,bun,node");
 * await Promise.all(stage.clients.map((client) => client.close()));
 * await Promise.all(processes.map((node) => node.stop()));
 * await redis.stop();
 * ```
 */
export async function startCluster(
  stage: ClusterStage,
  redis: RedisServer,
  processes: NodeProcess[],
): Promise<void> {
  const { t } = stage;
  t.section("A Redis and three nodes, one per runtime");
  t.note(`redis-server on ${redis.url} (nothing persisted)`);
  const started = await Promise.all(runtimes.map(async ({ runtime }, i) => {
    const node = await startNodeProcess(runtime, {
      REDIS_URL: redis.url,
      KEY_PREFIX: "demo:",
      NODE_NAME: `node-${i + 1}`,
      NODE_TTL: String(stage.nodeTtl),
      MAX_SESSION_CONNECTIONS: String(maxSessionConnections),
    });
    processes.push(node);
    return node;
  }));
  const nodes = stage.nodes as DemoNode[];
  for (const [i, process] of started.entries()) {
    const name = `node-${i + 1}`;
    const admin = await connect(stage, process.url);
    nodes.push({ name, process, admin });
    const where = (await admin.request("whereami")).text();
    t.note(`${name}  ${runtimes[i].adapter.padEnd(20)}  ${process.url}`);
    t.check(where === name, `${name} answers, one of three nodes on one Redis`, where);
  }
  t.note(
    `each node: RedisSessionManager + RedisCluster, maxSessionConnections ` +
      `${maxSessionConnections} (cluster-wide), node TTL ${stage.nodeTtl} ms`,
  );
}

async function loginAndRestore(stage: ClusterStage): Promise<void> {
  const { t, nodes } = stage;
  t.section("Login on node-1, restore on node-2");
  const laptop = await device(stage, "ada's laptop", nodes[0]);
  const reply = await laptop.client.request("login", "ada");
  stage.key = laptop.client.session?.key ?? "";
  t.note(`ada's laptop  -> node-1  request "login" "ada"  <- ${show(reply.text())}`);
  t.check(stage.key !== "", `node-1 created session ${short(stage.key)}, stored in Redis`);
  const phone = await device(stage, "ada's phone", nodes[1], stage.key);
  await provesSession(stage, phone);
}

async function hopping(stage: ClusterStage): Promise<void> {
  const { t, nodes } = stage;
  t.section("A client hops between nodes");
  for (const to of [nodes[2], nodes[1]]) {
    const from = stage.devices.get("ada's phone")!;
    t.note(`ada's phone closes its connection to ${from.node.name}`);
    await signOff(stage, from);
    t.note(`ada's phone connects to ${to.name} and restores the session`);
    const phone = await device(stage, "ada's phone", to, stage.key);
    await provesSession(stage, phone);
  }
}

async function sessionLimit(stage: ClusterStage): Promise<void> {
  const { t, nodes, key } = stage;
  t.section(`The session limit counts every node (maxSessionConnections ${maxSessionConnections})`);
  const count = (await nodes[2].admin.request("admin:count", key)).text();
  t.note(`node-3 asks Redis how many connections hold ${short(key)}: ${count}`);
  t.check(count === "2", "2: the laptop on node-1 and the phone on node-2", count);
  const tablet = await connect(stage, nodes[2].process.url);
  const refused = await outcome(tablet.restoreSession(key));
  t.note(`ada's tablet  -> node-3  restore ${short(key)}  <- ${describe(refused.error)}`);
  t.check(
    refused.error instanceof MaxSessionConnectionsError,
    "node-3 refuses a third connection although it holds none itself",
  );
  await tablet.close();
}

async function signalFromThirdNode(stage: ClusterStage): Promise<void> {
  const { t, nodes, key } = stage;
  t.section("A signal to the session from a node that holds none of it");
  const laptop = stage.devices.get("ada's laptop")!;
  const phone = stage.devices.get("ada's phone")!;
  const sent = await admin(nodes[2], "signal-session", { key, name: "notice", payload: "hi ada" });
  t.note(
    `node-3  server.signalSession(${short(key)}, "notice", "hi ada")  local connections: ${sent}`,
  );
  for (const holder of [laptop, phone]) {
    const got = await arrived(holder, "notice hi ada");
    t.note(`${holder.label} on ${holder.node.name}  <- signal "notice" "hi ada"`);
    t.check(got, `it reached the ${holder.label.replace("ada's ", "")} on ${holder.node.name}`);
  }
}

async function topicAcrossNodes(stage: ClusterStage): Promise<void> {
  const { t, nodes } = stage;
  t.section("A topic publish crossing nodes");
  const phone = stage.devices.get("ada's phone")!;
  const bob = await device(stage, "bob", nodes[2]);
  for (const member of [phone, bob]) {
    await member.client.request("join", "lobby");
    t.note(`${member.label} on ${member.node.name}  -> request "join" "lobby"`);
  }
  await admin(nodes[0], "publish", { topic: "lobby", name: "chat", payload: "welcome" });
  t.note('node-1  server.publish("lobby", "chat", "welcome")');
  for (const member of [phone, bob]) {
    const got = await arrived(member, "chat welcome");
    t.note(`${member.label} on ${member.node.name}  <- signal "chat" "welcome"`);
    t.check(got, `the subscriber on ${member.node.name} got it`);
  }
  const laptop = stage.devices.get("ada's laptop")!;
  t.check(
    !laptop.signals.includes("chat welcome"),
    "the laptop on node-1, not subscribed, got nothing",
  );
}

async function nodeKilled(stage: ClusterStage): Promise<void> {
  const { t, nodes, key, nodeTtl } = stage;
  t.section("node-1 (Deno) killed with SIGKILL; the session lives on");
  t.note("ada's phone signs off from node-2: only the laptop on node-1 holds the session");
  await signOff(stage, stage.devices.get("ada's phone")!);
  const laptop = stage.devices.get("ada's laptop")!;
  const dropped = nextEvent(laptop.client, "disconnected", patience);
  await nodes[0].process.kill();
  const killedAt = Date.now();
  await dropped;
  t.note("kill -9 node-1: no goodbye to Redis; the laptop's connection drops");
  const observer = nodes[2].admin;
  const right = (await observer.request("admin:count", key)).text();
  t.note(`right after: ${right} connection(s) counted for the session (node-1's heartbeat lives)`);
  let count = right;
  while (count !== "0" && Date.now() - killedAt < nodeTtl + patience) {
    await sleep(50);
    count = (await observer.request("admin:count", key)).text();
  }
  const freedAfter = Date.now() - killedAt;
  t.note(`node-1's slot freed ${freedAfter} ms after the kill`);
  t.note("(a signal sent before then would go to node-1 and be lost: pushes reach live nodes at");
  t.note(" most once; only a signal that no live node holds the session for is kept)");
  t.check(
    count === "0" && freedAfter <= nodeTtl + 1000,
    `its slots are free within the node TTL (${nodeTtl} ms, plus 1 s of polling slack)`,
    `count ${count} after ${freedAfter} ms`,
  );

  t.section("Signals sent while ada is away wait in Redis, replayed in order on restore");
  for (const n of [1, 2, 3]) {
    const sent = await admin(nodes[2], "signal-session", { key, name: "missed", payload: `${n}` });
    t.note(`node-3  server.signalSession(${short(key)}, "missed", "${n}")  delivered now: ${sent}`);
  }
  const back = await device(stage, "ada's laptop", nodes[1], key);
  t.note("ada's laptop reconnects, to node-2 this time, and restores the session");
  await provesSession(stage, back);
  const missed = () => back.signals.filter((signal) => signal.startsWith("missed "));
  await waitFor(() => missed().length >= 3);
  t.note(`ada's laptop on node-2  <- ${missed().map((s) => `"${s}"`).join(", ")}`);
  t.check(
    missed().join(",") === "missed 1,missed 2,missed 3",
    "the three kept signals arrived after the restore, in order",
    missed().join(","),
  );
}

async function connect(stage: ClusterStage, url: string, signals?: string[]): Promise<Client> {
  const client = new Client(url, {
    WebSocket: clientWebSocketHere(),
    autoconnect: false,
    requestTimeout: patience,
    logger: silentLogger,
    onSignal: (signal) => signals?.push(`${signal.name} ${signal.payload.text()}`),
  });
  stage.clients.push(client);
  await client.connect();
  return client;
}

/** Connects a device of a user to `node`, restoring session `key` when given. */
async function device(
  stage: ClusterStage,
  label: string,
  node: DemoNode,
  key?: string,
): Promise<Device> {
  const signals: string[] = [];
  const client = await connect(stage, node.process.url, signals);
  if (key !== undefined) await client.restoreSession(key);
  const made: Device = { label, client, node, signals };
  stage.devices.set(label, made);
  return made;
}

/** Shows, through requests answered by the node, that `holder` holds the user's session. */
async function provesSession(stage: ClusterStage, holder: Device): Promise<void> {
  const where = (await holder.client.request("whereami")).text();
  const whoami = (await holder.client.request("whoami")).text();
  const user = (await holder.client.request("user")).text();
  stage.t.note(
    `${holder.label}  -> ${where}  "whoami"  <- ${short(whoami)}; "user"  <- ${show(user)}`,
  );
  stage.t.check(
    where === holder.node.name && whoami === stage.key && user === "ada",
    `${holder.node.name} restored session ${short(stage.key)} (made on node-1) for ada`,
    `${where}, ${short(whoami)}, ${user}`,
  );
}

/**
 * Closes `holder`'s connection and waits until its node has given back the session slot: the
 * node learns of the close a moment after the client, so a restore elsewhere in between could
 * still find the session at its limit.
 */
async function signOff(stage: ClusterStage, holder: Device): Promise<void> {
  const count = async () => (await holder.node.admin.request("admin:count", stage.key)).text();
  const before = Number(await count());
  await holder.client.close();
  const released = await waitFor(async () => Number(await count()) < before);
  stage.t.check(released, `${holder.node.name} gave back the slot of the closed connection`);
}

function admin(node: DemoNode, name: string, value: Record<string, string>): Promise<string> {
  return node.admin.request(`admin:${name}`, JSON.stringify(value)).then((reply) => reply.text());
}

/** Whether `holder` got `signal` ("name payload") within the demo's patience. */
async function arrived(holder: Device, signal: string): Promise<boolean> {
  return await waitFor(() => holder.signals.includes(signal));
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + patience;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
