// Runs the cluster benchmark and prints its results as one JSON document on stdout (progress
// on stderr). It starts its own redis-server (testing/redis_server.ts, bundled for Node), then:
//
// 1. Cross-node signals: for each target, two server processes on that Redis (node A and node
//    B, a fresh key prefix each time) and one Bun load generator (load_cluster.ts) that holds
//    the receiving connections on B and asks A to send: our server on Bun, Deno and Node
//    (`signalSession` and `publish`), and socket.io 4 on Node with @socket.io/redis-adapter
//    (`io.to(room).emit`).
// 2. Session restores: our server alone with the memory, file and Redis session managers (and
//    Redis with the cluster, as a cluster node runs), on each runtime, and one Bun generator
//    (load_restore.ts) restoring a session over and over.
//
// Rounds run everything again and are kept apart in the document; the report takes medians.
// Any failure ends the run with a non-zero exit code; every process is bounded in time.
//
// Usage: node bench/cluster/measure.mjs [--quick] [--rounds N] [--only id,id,...]
//   --quick   a smoke run of a few seconds per target, 1 round
//   --rounds  how many times to run everything (default 3)
//   --only    run only these targets, e.g. --only webwire-bun,socketio-node,restore-bun
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  bin,
  bundleForNode,
  lastJsonLine,
  measureArgs,
  root,
  stopServer,
  whenReady,
} from "../bench_support.mjs";

const deno = bin("deno");
const bun = bin("bun");
// Inside the repository, so that the bundles' external packages resolve from node_modules.
const buildDir = join(root, "dist", "bench_cluster");

const { quick, only, rounds } = measureArgs(process.argv.slice(2));

/** What every cross-node run does (the same for every target). */
const settings = quick
  ? {
    connections: 10,
    rate: 1000,
    count: 300,
    warmup: 100,
    flood: 2000,
    window: 500,
    restores: 200,
    restoreWarmup: 20,
  }
  : {
    connections: 100,
    rate: 1000,
    count: 5000,
    warmup: 1000,
    flood: 50_000,
    window: 4000,
    restores: 2000,
    restoreWarmup: 200,
  };

const lifetime = ["--lifetime", "900"];
const node = (file) => [process.execPath, [join(buildDir, file), ...lifetime]];
const webwireNode = {
  bun: (flags) => [bun, ["bench/cluster/webwire_cluster_node.ts", ...flags, ...lifetime]],
  deno: (flags) => [
    deno,
    ["run", "-A", "bench/cluster/webwire_cluster_node.ts", ...flags, ...lifetime],
  ],
  node: (flags) => {
    const [command, commandArgs] = node("webwire_cluster_node.mjs");
    return [command, [...commandArgs, ...flags]];
  },
};
const runtimeLabel = { bun: "Bun", deno: "Deno", node: "Node (node:http)" };

const crossTargets = [
  ...["bun", "deno", "node"].map((runtime) => ({
    id: `webwire-${runtime}`,
    label: `WebWire on ${runtimeLabel[runtime]}`,
    client: "webwire",
    runtime,
    modes: ["session", "topic"],
    command: (redis, prefix) =>
      webwireNode[runtime]([
        "--sessions",
        "redis",
        "--cluster",
        "--redis",
        redis,
        "--prefix",
        prefix,
      ]),
  })),
  {
    id: "socketio-node",
    label: "socket.io 4 on Node + @socket.io/redis-adapter",
    client: "socketio",
    runtime: "node",
    modes: ["room"],
    command: (redis) => {
      const [command, commandArgs] = node("socketio_cluster_node.mjs");
      return [command, [...commandArgs, "--redis", redis]];
    },
  },
].filter((t) => only === null || only.includes(t.id));

const managers = [
  { id: "memory", label: "memory", flags: () => ["--sessions", "memory"] },
  { id: "file", label: "file", flags: () => ["--sessions", "file"] },
  { id: "redis", label: "Redis", flags: (redis) => ["--sessions", "redis", "--redis", redis] },
  {
    id: "redis-cluster",
    label: "Redis + cluster",
    flags: (redis) => ["--sessions", "redis", "--cluster", "--redis", redis],
  },
];
const restoreTargets = ["bun", "deno", "node"].map((runtime) => ({
  id: `restore-${runtime}`,
  runtime,
})).filter((t) => only === null || only.includes(t.id));
if (crossTargets.length + restoreTargets.length === 0) throw new Error(`--only matched nothing`);

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function log(text) {
  process.stderr.write(`${text}\n`);
}

async function buildNodeEntries() {
  const entries = [
    ["bench/cluster/webwire_cluster_node.ts", "webwire_cluster_node.mjs"],
    ["bench/cluster/socketio_cluster_node.ts", "socketio_cluster_node.mjs"],
    ["testing/redis_server.ts", "redis_server.mjs"],
  ];
  for (const [entry, out] of entries) {
    // From node_modules, as a Node app usually runs them.
    await bundleForNode(entry, join(buildDir, out), [
      "ws",
      "ioredis",
      "socket.io",
      "@socket.io/redis-adapter",
    ]);
  }
}

/** Starts a server and resolves with its URL and pid once it printed its READY line. */
function startServer(what, [command, commandArgs]) {
  const child = spawn(command, commandArgs, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.add(child);
  return whenReady(child, { what: what, children, startMs: 30_000 });
}

/** Runs a Bun generator and resolves with its JSON result line. */
function runGenerator(what, script, generatorArgs) {
  const child = spawn(bun, [script, ...generatorArgs], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.add(child);
  return lastJsonLine(child, { what, limitMs: 10 * 60 * 1000, children, echoStderr: true });
}

/** Redis's own pid, from `INFO server` (for its CPU time). */
function redisPid(port) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let received = "";
    socket.setTimeout(2000, () => reject(new Error("redis INFO timed out")));
    socket.once("error", reject);
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (chunk) => {
      received += chunk;
      const match = /process_id:(\d+)/.exec(received);
      if (match === null) return;
      socket.destroy();
      resolve(Number(match[1]));
    });
  });
}

async function crossNode(target, redis, round, clockTicks) {
  const prefix = `bench:${round}:${target.id}:`;
  const b = await startServer(`${target.id} node B`, target.command(redis.url, prefix));
  const a = await startServer(`${target.id} node A`, target.command(redis.url, prefix));
  try {
    return await runGenerator(`load generator for ${target.id}`, "bench/cluster/load_cluster.ts", [
      ...["--client", target.client, "--receive", b.url, "--control", a.url],
      ...["--modes", target.modes.join(","), "--connections", String(settings.connections)],
      ...["--rate", String(settings.rate), "--count", String(settings.count)],
      ...["--warmup", String(settings.warmup), "--flood", String(settings.flood)],
      ...["--window", String(settings.window), "--pids", `${a.pid},${b.pid},${redis.pid}`],
      ...["--clock-ticks", String(clockTicks)],
    ]);
  } finally {
    await Promise.all([stopServer(a), stopServer(b)]);
  }
}

async function restore(runtime, manager, redis, round) {
  const prefix = `bench:${round}:restore-${runtime}-${manager.id}:`;
  const flags = [...manager.flags(redis.url), "--prefix", prefix];
  const server = await startServer(`${runtime} ${manager.id} server`, webwireNode[runtime](flags));
  try {
    return await runGenerator(
      `restore generator for ${runtime} ${manager.id}`,
      "bench/cluster/load_restore.ts",
      [
        ...["--url", server.url, "--count", String(settings.restores)],
        ...["--warmup", String(settings.restoreWarmup)],
      ],
    );
  } finally {
    await stopServer(server);
  }
}

function cpuModel() {
  const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
    .find((l) => l.startsWith("model name"));
  return line ? line.slice(line.indexOf(":") + 1).trim() : cpus()[0]?.model ?? "unknown CPU";
}

function versions() {
  const denoLines = execFileSync(deno, ["--version"], { encoding: "utf8" }).split("\n");
  const packageVersion = (name) =>
    JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  const redisLine = execFileSync("redis-server", ["--version"], { encoding: "utf8" });
  return {
    deno: denoLines[0].split(" ")[1],
    v8: (denoLines.find((l) => l.startsWith("v8 ")) ?? "").slice(3).replace(/-rusty$/, ""),
    bun: execFileSync(bun, ["--version"], { encoding: "utf8" }).trim(),
    node: process.version.slice(1),
    redis: /v=(\S+)/.exec(redisLine)?.[1] ?? redisLine.trim(),
    ioredis: packageVersion("ioredis"),
    ws: packageVersion("ws"),
    socketio: packageVersion("socket.io"),
    socketioClient: packageVersion("socket.io-client"),
    redisAdapter: packageVersion("@socket.io/redis-adapter"),
  };
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main() {
  const started = Date.now();
  const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  await buildNodeEntries();
  const { startRedisServer } = await import(
    pathToFileURL(join(buildDir, "redis_server.mjs")).href
  );
  const server = await startRedisServer();
  const redis = { url: server.url, pid: await redisPid(server.port) };
  const cross = [];
  const restores = [];
  const loads = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      loads.push(loadAverage());
      log(`round ${round} of ${rounds} (load average ${loads.at(-1)})`);
      for (const target of crossTargets) {
        log(`  ${target.label}`);
        const result = await crossNode(target, redis, round, clockTicks);
        cross.push({ round, target: target.id, ...result });
      }
      for (const target of restoreTargets) {
        for (const manager of managers) {
          const r = await restore(target.runtime, manager, redis, round);
          restores.push({ round, runtime: target.runtime, manager: manager.id, ...r });
          log(
            `  restore on ${target.runtime.padEnd(4)} with ${manager.label.padEnd(15)} ` +
              `p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms`,
          );
        }
      }
    }
  } finally {
    await server.stop();
  }
  loads.push(loadAverage());
  log(`cluster: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const document = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    rounds,
    cpu: cpuModel(),
    cores: cpus().length,
    clockTicks,
    loadAverages: loads,
    versions: versions(),
    settings,
    targets: crossTargets.map(({ id, label, client, runtime, modes }) => ({
      id,
      label,
      client,
      runtime,
      modes,
    })),
    managers: managers.map(({ id, label }) => ({ id, label })),
    cross,
    restores,
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

main().catch((error) => {
  log(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
