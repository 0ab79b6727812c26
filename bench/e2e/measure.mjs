// Runs the end-to-end benchmark: starts each server under test in its own process on
// 127.0.0.1, runs a load generator process (Bun) per point against it, and prints the results
// as one JSON document on stdout (progress goes to stderr). Any failure ends the run with a
// non-zero exit code; every server and generator is bounded in time.
//
// Usage: node bench/e2e/measure.mjs [--quick] [--rounds N] [--ratio-rounds N] [--only id,...]
//   --quick  a smoke run of about a minute: fewer points, short windows, one round
//   --rounds every target at every point N times (default 3), point by point, every target in
//            turn; `results` holds each measure's median over the rounds, `rounds` each round.
//            Then, in a full run, 12 more rounds of the points where an adapter is held to its
//            raw echo (16×64 and 256×16, both sizes) on every target but socket.io
//            (`ratioRounds`): a paired ratio moves by ±20 % from one round to the next on a
//            shared machine, and a target met or missed needs more than three of them (with 15,
//            the 96 % interval of a median runs from the 4th to the 12th of them)
//   --ratio-rounds how many of those extra rounds (0 to 60, default 12): more of them narrow
//            the interval, e.g. `--rounds 1 --ratio-rounds 39` for 40 ratios in a run
//   --only   run only these targets (ids below), e.g. --only webwire-bun,raw-bun; floor-deno
//            (the protocol's own floor on Deno) and core-deno (our core without the Deno
//            adapter's socket bookkeeping) run only when named here
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bundleForNode,
  lastJsonLine,
  measureArgs,
  median,
  stopServer,
  whenReady,
} from "../bench_support.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const deno = bin("deno");
const bun = bin("bun");
// Inside the repository, so that the bundles' external `ws` resolves from node_modules.
const buildDir = join(root, "dist", "bench_e2e");

const { quick, only, rounds, ratioRounds: ratioRoundCount } = measureArgs(
  process.argv.slice(2),
  12,
);

const settings = quick
  ? { warmup: 0.25, seconds: 0.5, batch: 64, signalBatchesInFlight: 4 }
  : { warmup: 0.5, seconds: 2.5, batch: 64, signalBatchesInFlight: 4 };

/** The shapes where #11 holds an adapter to its raw echo (as in report.mjs). */
const ratioShapes = [[16, 64], [256, 16]];

/** Request/reply points: N connections × M in flight, each with both payload sizes. */
const shapes = quick ? [[1, 1], [16, 64]] : [[1, 1], [1, 64], [16, 64], [256, 16]];
const payloads = quick ? [16, 4096] : [16, 4096];
const points = [];
for (const payload of payloads) {
  for (const [connections, inflight] of shapes) {
    points.push({ mode: "request", connections, inflight, payload });
  }
}
for (const payload of quick ? [16] : [16, 4096]) {
  points.push({
    mode: "signal",
    connections: 16,
    inflight: settings.signalBatchesInFlight,
    payload,
  });
}

// Every server lives through a whole round (about 10 minutes on a 2-core machine), bounded so
// that none outlives a broken run by long.
const lifetime = ["--lifetime", "3600"];
const targets = [
  {
    id: "webwire-bun",
    label: "WebWire on Bun",
    generator: "webwire",
    command: () => [bun, ["bench/e2e/webwire_server.ts", ...lifetime]],
  },
  {
    id: "webwire-hono-bun",
    label: "WebWire on Hono, Bun",
    generator: "webwire",
    command: () => [bun, ["bench/e2e/webwire_hono_server.ts", ...lifetime]],
  },
  {
    id: "raw-bun",
    label: "raw echo, Bun.serve",
    generator: "webwire",
    command: () => [bun, ["bench/e2e/raw_echo_bun.ts", ...lifetime]],
  },
  {
    id: "webwire-deno",
    label: "WebWire on Deno",
    generator: "webwire",
    command: () => [deno, ["run", "-A", "bench/e2e/webwire_server.ts", ...lifetime]],
  },
  {
    id: "webwire-deno-tcp",
    label: "WebWire on Deno, own framing (Deno.listen)",
    generator: "webwire",
    command: () => [deno, ["run", "-A", "bench/e2e/webwire_server.ts", "--tcp", ...lifetime]],
  },
  {
    id: "webwire-hono-deno",
    label: "WebWire on Hono, Deno",
    generator: "webwire",
    command: () => [deno, ["run", "-A", "bench/e2e/webwire_hono_server.ts", ...lifetime]],
  },
  {
    id: "raw-deno",
    label: "raw echo, Deno.upgradeWebSocket",
    generator: "webwire",
    command: () => [deno, ["run", "-A", "bench/e2e/raw_echo_deno.ts", ...lifetime]],
  },
  {
    // Opt-in (`--only`): the protocol's own floor on Deno, for the analysis of #11.
    id: "floor-deno",
    label: "protocol floor, Deno.upgradeWebSocket (hand-written replies)",
    generator: "webwire",
    optIn: true,
    command: () => [deno, ["run", "-A", "bench/e2e/protocol_floor_deno.ts", ...lifetime]],
  },
  {
    // Opt-in: our core on Deno without the adapter's socket bookkeeping, for the analysis of #11.
    id: "core-deno",
    label: "core on a send-only transport, Deno.upgradeWebSocket",
    generator: "webwire",
    optIn: true,
    command: () => [deno, ["run", "-A", "bench/e2e/core_floor_deno.ts", ...lifetime]],
  },
  {
    id: "webwire-node",
    label: "WebWire on Node (node:http)",
    generator: "webwire",
    command: () => [process.execPath, [join(buildDir, "webwire_server.mjs"), ...lifetime]],
  },
  {
    id: "raw-node",
    label: "raw echo, ws on Node",
    generator: "webwire",
    command: () => [process.execPath, [join(buildDir, "raw_echo_node.mjs"), ...lifetime]],
  },
  {
    id: "socketio-node",
    label: "socket.io 4 on Node (acks)",
    generator: "socketio",
    command: () => [process.execPath, ["bench/e2e/socketio_server.mjs", ...lifetime]],
  },
].filter((t) => only === null ? t.optIn !== true : only.includes(t.id));
if (targets.length === 0) throw new Error(`--only matched no target`);

const generators = {
  webwire: "bench/e2e/load_webwire.ts",
  socketio: "bench/e2e/load_socketio.ts",
};

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function log(text) {
  process.stderr.write(`${text}\n`);
}

async function buildNodeEntries() {
  for (const name of ["webwire_server", "raw_echo_node"]) {
    // ws from node_modules, as a Node app usually runs it.
    await bundleForNode(join("bench", "e2e", `${name}.ts`), join(buildDir, `${name}.mjs`));
  }
}

/** Starts a server and resolves with its URL and pid once it printed its READY line. */
function startServer(target) {
  const [command, commandArgs] = target.command();
  const child = spawn(command, commandArgs, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.add(child);
  return whenReady(child, { what: target.id, children });
}

/** Runs one generator process and resolves with its result line. */
function runPoint(target, server, point, clockTicks) {
  const generatorArgs = [
    generators[target.generator],
    "--url",
    server.url,
    "--pid",
    String(server.pid),
    "--clock-ticks",
    String(clockTicks),
    "--mode",
    point.mode,
    "--connections",
    String(point.connections),
    "--inflight",
    String(point.inflight),
    "--payload",
    String(point.payload),
    "--batch",
    String(settings.batch),
    "--warmup",
    String(settings.warmup),
    "--seconds",
    String(settings.seconds),
  ];
  const child = spawn(bun, generatorArgs, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  return lastJsonLine(child, {
    what: `load generator for ${target.id} ${describe(point)}`,
    limitMs: (settings.warmup + settings.seconds) * 1000 + 60_000,
    children,
  });
}

function describe(point) {
  const shape = point.mode === "signal"
    ? `signals ${point.connections}×${point.inflight}×${settings.batch}`
    : `${point.connections}×${point.inflight}`;
  return `${shape} ${point.payload} B`;
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

async function main() {
  const started = Date.now();
  // The machine is shared: the load average says how much the other jobs took.
  const loadBefore = loadavg();
  const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  await buildNodeEntries();
  const perRound = [];
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`round ${round} of ${rounds}`);
    perRound.push(await measureRound(round, clockTicks, targets, points));
  }
  const ratioTargets = targets.filter((target) => target.generator === "webwire");
  const ratioPoints = points.filter((point) =>
    point.mode === "request" &&
    ratioShapes.some(([connections, inflight]) =>
      point.connections === connections && point.inflight === inflight
    )
  );
  const ratioRounds = [];
  for (let round = 1; round <= ratioRoundCount && ratioPoints.length > 0; round++) {
    log(`ratio round ${round} of ${ratioRoundCount}`);
    ratioRounds.push(await measureRound(rounds + round, clockTicks, ratioTargets, ratioPoints));
  }
  log(`e2e: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const document = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    cpu: cpuModel(),
    cores: cpus().length,
    clockTicks,
    loadAverage: { before: loadBefore, after: loadavg() },
    versions: versions(),
    settings,
    targets: targets.map(({ id, label, generator }) => ({ id, label, generator })),
    points: points.map((p) => ({ ...p, label: describe(p) })),
    rounds: perRound,
    ratioRounds,
    results: medianResults(perRound),
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

/**
 * Every target of `roundTargets` at every point of `roundPoints` once; one result each, in
 * target-major order (the same in every round). Every server starts first and idles while the
 * others are measured; then each point runs on every target in turn, in reverse order in every
 * other round, so that a target and its raw echo are measured seconds apart: on a shared
 * machine, the other jobs' load drifts over minutes, and a ratio of two figures taken minutes
 * apart measures the drift as much as them.
 */
async function measureRound(round, clockTicks, roundTargets, roundPoints) {
  const servers = new Map();
  const byTargetAndPoint = new Map();
  try {
    for (const target of roundTargets) servers.set(target.id, await startServer(target));
    const order = round % 2 === 0 ? [...roundTargets].reverse() : roundTargets;
    for (const point of roundPoints) {
      log(`${describe(point)} ...`);
      for (const target of order) {
        const result = await runPoint(target, servers.get(target.id), point, clockTicks);
        byTargetAndPoint.set(`${target.id} ${describe(point)}`, {
          target: target.id,
          ...point,
          ...result,
        });
        const cpu = result.serverUsPerItem === null ? "n/a" : result.serverUsPerItem.toFixed(2);
        log(
          `  ${target.label.padEnd(40)} ${Math.round(result.rate).toString().padStart(8)}/s` +
            `  p50 ${Math.round(result.p50)} µs  p99 ${Math.round(result.p99)} µs` +
            `  server ${cpu} µs/item, ${Math.round((result.serverCpuShare ?? 0) * 100)} %` +
            `  generator ${Math.round(result.generatorCpuShare * 100)} %`,
        );
        // Lets the closed connections leave the server before the next point.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    for (const server of servers.values()) await stopServer(server);
  }
  return roundTargets.flatMap((target) =>
    roundPoints.map((point) => byTargetAndPoint.get(`${target.id} ${describe(point)}`))
  );
}

/** Per target and point, the median over the rounds of each measure (rate, latencies, CPU). */
function medianResults(perRound) {
  return perRound[0].map((first, index) => {
    const merged = { ...first };
    for (const [name, value] of Object.entries(first)) {
      if (typeof value !== "number" || ["connections", "inflight", "payload"].includes(name)) {
        continue;
      }
      merged[name] = median(perRound.map((results) => results[index][name]));
    }
    return merged;
  });
}

main().catch((error) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
