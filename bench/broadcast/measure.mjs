// Runs the broadcast benchmark: for each point and server under test, starts the server in its
// own process on 127.0.0.1, runs one load generator process (Bun) that holds every connection,
// and prints the results as one JSON document on stdout (progress on stderr). Servers and
// generators are spawned through `bash -c "ulimit -n 20000; exec ..."`, as 10 000 sockets need
// more descriptors than the usual soft limit of 1 024. Rounds run the whole matrix again and
// are kept apart in the document; the report takes their medians. Any failure ends the run
// with a non-zero exit code; every process is bounded in time.
//
// Usage: node bench/broadcast/measure.mjs [--quick] [--rounds N] [--only id,id,...]
//   --quick   a smoke run of a few seconds per target: 50 connections, 2 broadcasts, 1 round
//   --rounds  how many times to run the matrix (default 3)
//   --only    run only these targets, e.g. --only webwire-bun,socketio-node
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
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
const buildDir = join(root, "dist", "bench_broadcast");
const fileLimit = 20_000;

const { quick, only, rounds } = measureArgs(process.argv.slice(2));

/** Connections, measured broadcasts, warm-up broadcasts (not measured). */
const points = quick
  ? [{ connections: 50, broadcasts: 2, warmup: 1 }]
  : [{ connections: 1000, broadcasts: 100, warmup: 5 }, {
    connections: 10_000,
    broadcasts: 20,
    warmup: 3,
  }];
/** Milliseconds between one broadcast's last arrival and the next trigger. */
const gapMs = 5;

const lifetime = ["--lifetime", "900"];
const targets = [
  {
    id: "webwire-bun",
    label: "WebWire on Bun",
    client: "webwire",
    command: () => [bun, ["bench/broadcast/webwire_broadcast_server.ts", ...lifetime]],
  },
  {
    id: "webwire-deno",
    label: "WebWire on Deno",
    client: "webwire",
    command:
      () => [deno, ["run", "-A", "bench/broadcast/webwire_broadcast_server.ts", ...lifetime]],
  },
  {
    id: "webwire-node",
    label: "WebWire on Node (node:http)",
    client: "webwire",
    command:
      () => [process.execPath, [join(buildDir, "webwire_broadcast_server.mjs"), ...lifetime]],
  },
  {
    id: "socketio-node",
    label: "socket.io 4 on Node (io.emit)",
    client: "socketio",
    command: () => [
      process.execPath,
      [join(buildDir, "socketio_broadcast_server.mjs"), ...lifetime],
    ],
  },
].filter((t) => only === null || only.includes(t.id));
if (targets.length === 0) throw new Error(`--only matched no target`);

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function log(text) {
  process.stderr.write(`${text}\n`);
}

/** Spawns `command args` with the raised descriptor limit; `exec` keeps the pid the same. */
function spawnLimited(command, commandArgs, stdio) {
  return spawn(
    "bash",
    ["-c", `ulimit -n ${fileLimit} && exec "$0" "$@"`, command, ...commandArgs],
    {
      cwd: root,
      stdio,
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
}

async function buildNodeEntries() {
  for (const name of ["webwire_broadcast_server", "socketio_broadcast_server"]) {
    // From node_modules, as a Node app usually runs them.
    await bundleForNode(join("bench", "broadcast", `${name}.ts`), join(buildDir, `${name}.mjs`), [
      "ws",
      "socket.io",
    ]);
  }
}

/** Starts a server and resolves with its URL and pid once it printed its READY line. */
function startServer(target) {
  const [command, commandArgs] = target.command();
  const child = spawnLimited(command, commandArgs, ["ignore", "pipe", "inherit"]);
  children.add(child);
  return whenReady(child, { what: target.id, children }).then((server) => {
    if (server.pid !== child.pid) {
      throw new Error(`${target.id} announced pid ${server.pid}, spawned ${child.pid}`);
    }
    return server;
  });
}

/** Runs one generator process and resolves with its result line. */
function runPoint(target, server, point, clockTicks) {
  const generatorArgs = [
    "bench/broadcast/load_broadcast.ts",
    ...["--client", target.client, "--url", server.url, "--pid", String(server.pid)],
    ...["--clock-ticks", String(clockTicks), "--connections", String(point.connections)],
    ...["--broadcasts", String(point.broadcasts), "--warmup", String(point.warmup)],
    ...["--gap", String(gapMs)],
  ];
  const child = spawnLimited(bun, generatorArgs, ["ignore", "pipe", "pipe"]);
  children.add(child);
  return lastJsonLine(child, {
    what: `load generator for ${target.id} at ${point.connections} connections`,
    limitMs: 5 * 60 * 1000,
    children,
  });
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
  return {
    deno: denoLines[0].split(" ")[1],
    v8: (denoLines.find((l) => l.startsWith("v8 ")) ?? "").slice(3).replace(/-rusty$/, ""),
    bun: execFileSync(bun, ["--version"], { encoding: "utf8" }).trim(),
    node: process.version.slice(1),
    ws: packageVersion("ws"),
    socketio: packageVersion("socket.io"),
    socketioClient: packageVersion("socket.io-client"),
  };
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main() {
  const started = Date.now();
  const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  await buildNodeEntries();
  const results = [];
  const loads = [];
  for (let round = 1; round <= rounds; round++) {
    loads.push(loadAverage());
    log(`round ${round} of ${rounds} (load average ${loads.at(-1)})`);
    for (const point of points) {
      for (const target of targets) {
        // A fresh server per point, so that no connection of the last point is still counted.
        const server = await startServer(target);
        try {
          const r = await runPoint(target, server, point, clockTicks);
          results.push({ round, target: target.id, ...r });
          log(
            `  ${String(point.connections).padStart(5)} × ${target.label.padEnd(30)} ` +
              `last p50 ${r.lastP50.toFixed(1)} ms, p99 ${r.lastP99.toFixed(1)} ms; ` +
              `arrival p50 ${r.arrivalP50.toFixed(1)} ms; call ${r.callP50.toFixed(1)} ms; ` +
              `server ${r.serverUsPerDelivery?.toFixed(2) ?? "n/a"} µs/delivery, ` +
              `generator ${r.generatorUsPerDelivery.toFixed(2)}`,
          );
        } finally {
          await stopServer(server);
        }
      }
    }
  }
  loads.push(loadAverage());
  log(`broadcast: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const document = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    rounds,
    cpu: cpuModel(),
    cores: cpus().length,
    clockTicks,
    loadAverages: loads,
    versions: versions(),
    gapMs,
    targets: targets.map(({ id, label, client }) => ({ id, label, client })),
    points,
    results,
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

main().catch((error) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
