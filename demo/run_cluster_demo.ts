/**
 * The cluster demo scenario (`npm run demo:cluster`): a redis-server of its own, three server
 * processes on it (Deno's adapter under Deno, Bun's under Bun, the Node adapter under Node;
 * `testing/cluster_node.ts`), and clients of this library's client class hopping between them:
 * a login on one node restored on the others, the session limit counted across nodes, a
 * signal to the session from a node that holds none of it, a topic publish crossing nodes,
 * and a node killed with SIGKILL whose session lives on, with the signals sent meanwhile
 * replayed in order after the restore on another node. Every step checks its own result.
 *
 * @example
 * ```ts
 * import { runClusterDemo } from "./run_cluster_demo.ts";
 * const lines: string[] = [];
 * const result = await runClusterDemo((line) => lines.push(line)); // a few seconds
 * const sections = lines.filter((line) => line.startsWith("== "));
 * console.assert(result === "passed" && sections.length === 9, lines.join("\n"));
 * console.assert(sections.at(-1) === "== Summary");
 * ```
 * @module
 */

import { Client, MaxSessionConnectionsError } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import {
  type NodeProcess,
  type NodeRuntime,
  startNodeProcess,
} from "../testing/cluster_processes.ts";
import { type RedisServer, startRedisServer } from "../testing/redis_server.ts";
import { Transcript } from "./transcript.ts";
import { nextEvent, outcome, sleep } from "./waiting.ts";

/**
 * Options of {@link runClusterDemo}.
 *
 * @example
 * ```ts
 * import type { ClusterDemoOptions } from "./run_cluster_demo.ts";
 * const options: ClusterDemoOptions = { nodeTtl: 1500, deadline: 30_000 };
 * console.assert(options.nodeTtl === 1500);
 * ```
 */
export interface ClusterDemoOptions {
  /** Milliseconds a node counts as alive after its last heartbeat; default 1500. */
  nodeTtl?: number;
  /** Milliseconds after which the scenario counts as hung and stops; default 40 000. */
  deadline?: number;
}

/**
 * How the demo ended: `passed` when every check held, `failed` when one did not (or it hung),
 * `no-redis` when redis-server is not installed (one line with the install hint was written).
 *
 * @example
 * ```ts
 * import type { ClusterDemoResult } from "./run_cluster_demo.ts";
 * const exitCode = (result: ClusterDemoResult): number =>
 *   result === "passed" ? 0 : result === "failed" ? 1 : 3;
 * console.assert(exitCode("no-redis") === 3);
 * ```
 */
export type ClusterDemoResult = "passed" | "failed" | "no-redis";

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
interface DemoNode {
  /** `node-1`, `node-2`, `node-3`. */
  readonly name: string;
  readonly process: NodeProcess;
  /** A client on this node for the admin requests (signal, publish, count). */
  admin: Client;
}

/** A client of the demo: a device of a user, recording the signals it gets. */
interface Device {
  readonly label: string;
  readonly client: Client;
  readonly node: DemoNode;
  readonly signals: string[];
}

/** Everything the scenario's steps share. */
interface Stage {
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
 * Runs the cluster demo, writing the transcript line by line to `write`.
 *
 * @example
 * ```ts
 * import { runClusterDemo } from "./run_cluster_demo.ts";
 * const failures: string[] = [];
 * const result = await runClusterDemo((line) => {
 *   if (line.startsWith("  FAIL ")) failures.push(line);
 * }, { nodeTtl: 1000, deadline: 30_000 });
 * console.assert(result === "passed" && failures.length === 0, failures.join("\n"));
 * ```
 */
export async function runClusterDemo(
  write: (line: string) => void,
  options: ClusterDemoOptions = {},
): Promise<ClusterDemoResult> {
  let redis: RedisServer;
  try {
    redis = await startRedisServer();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/not installed/.test(message)) {
      write(`webwire cluster demo: ${message}`);
      return "no-redis";
    }
    throw error;
  }
  const t = new Transcript(write);
  const nodeTtl = options.nodeTtl ?? 1500;
  const clients: Client[] = [];
  const processes: NodeProcess[] = [];
  const stage: Stage = { t, nodes: [], nodeTtl, clients, key: "", devices: new Map() };
  write(`WebWire cluster demo on ${runtimeName()}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = options.deadline ?? 40_000;
  const hung = new Promise<"hung">((resolve) =>
    timer = setTimeout(() => resolve("hung"), deadline)
  );
  try {
    const ran = await Promise.race([
      (async () => {
        await start(stage, redis, processes);
        for (const step of steps) await step(stage);
      })(),
      hung,
    ]);
    if (ran === "hung") t.check(false, `the demo finished within ${deadline} ms`);
  } catch (error) {
    t.check(false, "the demo ran to its end", `stopped by ${describe(error)}`);
  } finally {
    clearTimeout(timer);
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(processes.map((node) => node.stop()));
    await redis.stop();
  }
  t.section("Summary");
  if (t.ok) t.note(`all ${t.checks} checks passed`);
  else t.note(`${t.failures.length} of ${t.checks} checks failed: ${t.failures.join("; ")}`);
  return t.ok ? "passed" : "failed";
}

const steps: ((stage: Stage) => Promise<void>)[] = [
  loginAndRestore,
  hopping,
  sessionLimit,
  signalFromThirdNode,
  topicAcrossNodes,
  nodeKilled,
];

async function start(stage: Stage, redis: RedisServer, processes: NodeProcess[]): Promise<void> {
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

async function loginAndRestore(stage: Stage): Promise<void> {
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

async function hopping(stage: Stage): Promise<void> {
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

async function sessionLimit(stage: Stage): Promise<void> {
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

async function signalFromThirdNode(stage: Stage): Promise<void> {
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

async function topicAcrossNodes(stage: Stage): Promise<void> {
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

async function nodeKilled(stage: Stage): Promise<void> {
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

async function connect(stage: Stage, url: string, signals?: string[]): Promise<Client> {
  const client = new Client(url, {
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
async function device(stage: Stage, label: string, node: DemoNode, key?: string): Promise<Device> {
  const signals: string[] = [];
  const client = await connect(stage, node.process.url, signals);
  if (key !== undefined) await client.restoreSession(key);
  const made: Device = { label, client, node, signals };
  stage.devices.set(label, made);
  return made;
}

/** Shows, through requests answered by the node, that `holder` holds the user's session. */
async function provesSession(stage: Stage, holder: Device): Promise<void> {
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
async function signOff(stage: Stage, holder: Device): Promise<void> {
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

function runtimeName(): string {
  const bun = (globalThis as { Bun?: { version: string } }).Bun;
  if (bun !== undefined) return `Bun ${bun.version}`;
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno === undefined ? "an unknown runtime" : `Deno ${deno.version.deno}`;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value === undefined ? "(nothing)" : String(value);
}

function show(text: string): string {
  return JSON.stringify(text);
}

function short(key: string): string {
  return key.length > 16 ? `${key.slice(0, 12)}…` : key;
}
