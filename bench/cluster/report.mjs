// The cluster suite of bench/run.mjs: runs bench/cluster/measure.mjs and turns its results into
// the README section (medians over the rounds). A --quick smoke run is only printed.
import { median, runMeasure } from "../bench_support.mjs";

const operations = {
  session: "`signalSession(key)`",
  topic: "`publish(topic)`",
  room: "`io.to(room).emit`",
};

/** One row per target and mode: medians over the rounds. */
function summarizeCross(doc) {
  const rows = [];
  for (const target of doc.targets) {
    for (const mode of target.modes) {
      const runs = doc.cross.filter((r) => r.target === target.id)
        .map((r) => r.modes.find((m) => m.mode === mode)).filter((m) => m !== undefined);
      if (runs.length === 0) continue;
      const m = (pick) => median(runs.map(pick));
      const throughputs = runs.map((r) => r.throughput.throughput);
      rows.push({
        target,
        mode,
        rounds: runs.length,
        p50: m((r) => r.latency.p50),
        p90: m((r) => r.latency.p90),
        p99: m((r) => r.latency.p99),
        p99s: runs.map((r) => r.latency.p99),
        sendRate: m((r) => r.latency.sendRate),
        throughput: m((r) => r.throughput.throughput),
        throughputMin: Math.min(...throughputs),
        throughputMax: Math.max(...throughputs),
        saturatedP50: m((r) => r.throughput.p50),
        cpuA: m((r) => r.throughput.cpuUs.a),
        cpuB: m((r) => r.throughput.cpuUs.b),
        cpuRedis: m((r) => r.throughput.cpuUs.redis),
        cpuGenerator: m((r) => r.throughput.cpuUs.generator),
        lost: runs.reduce((sum, r) => sum + r.latency.lost + r.throughput.lost, 0),
        failures: runs.reduce(
          (sum, r) => sum + r.latency.run.failures + r.throughput.run.failures,
          0,
        ),
      });
    }
  }
  return rows;
}

const ms = (x) =>
  x === null
    ? "n/a"
    : x >= 100
    ? `${x.toFixed(0)} ms`
    : x >= 10
    ? `${x.toFixed(1)} ms`
    : `${x.toFixed(2)} ms`;
const restoreMs = (x) => x === null ? "n/a" : x < 1 ? x.toFixed(3) : x.toFixed(2);
const count = (n) => Math.round(n).toLocaleString("en-US");
const cpu = (x) => x === null ? "n/a" : x.toFixed(0);
/** The sum of the rounded medians shown beside it, so that the row adds up. */
const cpuTotal = (r) =>
  [r.cpuA, r.cpuB, r.cpuRedis].some((x) => x === null)
    ? "n/a"
    : String([r.cpuA, r.cpuB, r.cpuRedis].reduce((sum, x) => sum + Math.round(x), 0));

function crossTable(rows, rate) {
  const socketio = rows.find((r) => r.target.id === "socketio-node");
  const lines = [
    `| server | operation | p50 at ${rate} | p90 | p99 | signals/s at saturation (rounds) | ` +
    "vs socket.io | p50 at saturation | server CPU µs/signal: A + B + Redis | generator | lost |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const ours = r.target.client === "webwire";
    const ratio = ours && socketio !== undefined
      ? `${(r.throughput / socketio.throughput).toFixed(2)}×`
      : "";
    const spread = r.rounds > 1 ? ` (${count(r.throughputMin)}–${count(r.throughputMax)})` : "";
    lines.push(
      `| ${ours ? `**${r.target.label}**` : r.target.label} | ${operations[r.mode]} | ` +
        `${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${count(r.throughput)}${spread} | ` +
        `${ratio} | ${ms(r.saturatedP50)} | ${cpu(r.cpuA)} + ${cpu(r.cpuB)} + ` +
        `${cpu(r.cpuRedis)} = **${cpuTotal(r)}** | ${cpu(r.cpuGenerator)} | ` +
        `${r.lost} |`,
    );
  }
  return lines.join("\n");
}

function restoreTable(doc) {
  const runtimes = [...new Set(doc.restores.map((r) => r.runtime))];
  const label = { bun: "Bun", deno: "Deno", node: "Node (node:http)" };
  const lines = [
    `| session manager | ${runtimes.map((r) => `${label[r]} p50 / p99 (ms)`).join(" | ")} |`,
    `| --- | ${runtimes.map(() => "---:").join(" | ")} |`,
  ];
  for (const manager of doc.managers) {
    const cells = runtimes.map((runtime) => {
      const runs = doc.restores.filter((r) => r.runtime === runtime && r.manager === manager.id);
      if (runs.length === 0) return "n/a";
      return `${restoreMs(median(runs.map((r) => r.p50)))} / ${
        restoreMs(median(runs.map((r) => r.p99)))
      }`;
    });
    lines.push(`| ${manager.label} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function goals(doc, rows) {
  const socketio = rows.find((r) => r.target.id === "socketio-node");
  const ours = rows.filter((r) => r.target.client === "webwire");
  const rate = `${count(doc.settings.rate)} signals/s`;
  if (doc.quick) return "- Not judged: a smoke run is too short and too cold to say anything.";
  const lines = [];
  if (socketio !== undefined) {
    for (const mode of ["session", "topic"]) {
      const verdicts = ours.filter((r) => r.mode === mode).map((r) => {
        const faster = r.throughput > socketio.throughput;
        const lower = r.p99 < socketio.p99;
        const overlap = r.throughputMin <= socketio.throughputMax &&
          socketio.throughputMin <= r.throughputMax;
        const why = [faster ? null : "fewer signals/s", lower ? null : "higher p99"]
          .filter((x) => x !== null).join(", ");
        return `${r.target.label} ${count(r.throughput)}/s at p99 ${ms(r.p99)}: ` +
          (faster && lower ? "met" : `**not met** (${why})`) +
          (overlap ? ", the rounds' signals/s overlap socket.io's" : "");
      });
      if (verdicts.length === 0) continue;
      lines.push(
        `- More cross-node signals per second than socket.io's Redis adapter ` +
          `(${count(socketio.throughput)}/s, rounds ${count(socketio.throughputMin)}–` +
          `${count(socketio.throughputMax)}) at a lower p99 at ${rate} (${ms(socketio.p99)}), ` +
          `with ${operations[mode]}: ${verdicts.join("; ")}.`,
      );
    }
  }
  const under = ours.map((r) =>
    `${r.target.label} ${operations[r.mode]} ${ms(r.p99)} (rounds ${
      r.p99s.map((x) => ms(x)).join(", ")
    }): ${r.p99 < 2 ? "met" : "**not met**"}`
  );
  if (under.length > 0) {
    lines.push(
      `- A cross-node p99 under 2 ms at a moderate rate (${rate}) on loopback: ` +
        `${under.join("; ")}.`,
    );
  }
  return lines.join("\n");
}

/** The suite: `{ json, markdown }` for bench/run.mjs. */
export function cluster() {
  const doc = runMeasure("cluster", process.argv.slice(2).includes("--quick"), "about 8 min", 60);
  return { json: doc, markdown: clusterSection(doc) };
}

/** The README section for a document of bench/cluster/measure.mjs. */
export function clusterSection(doc) {
  const v = doc.versions;
  const s = doc.settings;
  const rows = summarizeCross(doc);
  const failures = rows.reduce((sum, r) => sum + r.failures, 0);
  return `## Cluster benchmark\n\n` +
    `${doc.quick ? "**A --quick smoke run: tiny counts, one round, cold.**\n\n" : ""}` +
    `Measured on ${doc.date} by \`npm run bench -- --cluster\` on ${doc.cpu} (${doc.cores} cores,
shared with other engineers' test runs: load average ${doc.loadAverages.join(" → ")} over the
rounds, so the figures are noisy) over 127.0.0.1, with Redis ${v.redis} (no persistence), Bun
${v.bun}, Deno ${v.deno} (V8 ${v.v8}), Node ${v.node}, ioredis ${v.ioredis}, ws ${v.ws}, socket.io
${v.socketio} (client ${v.socketioClient}) and @socket.io/redis-adapter ${v.redisAdapter};
medians of ${doc.rounds} round${doc.rounds > 1 ? "s" : ""}. Raw results:
\`bench/results/cluster.json\`.

**Cross-node signals.** One redis-server and two server processes on it, node A and node B,
both on the runtime of the row: our server with \`RedisSessionManager\` and \`RedisCluster\`, or
socket.io 4 with \`@socket.io/redis-adapter\` on ioredis. One Bun load generator holds
${count(s.connections)} connections on node B (raw WebSockets speaking WebWire, each logged in to
its own session, which node B holds, and subscribed to its own topic; socket.io-client with
\`transports: ["websocket"]\`, each socket in its own room) and one control connection to node A,
which it asks to send. Node A sends 64-byte binary signals round robin to those sessions
(\`server.signalSession(key, "tick", payload)\`), topics (\`server.publish(topic, ...)\`) or rooms
(\`io.to(room).emit("tick", buffer)\`); each payload carries node A's clock
(\`performance.timeOrigin + performance.now()\`) taken just before the call, and the generator
subtracts it from its own clock on arrival (one machine, one clock). Every signal must reach the
connection it was meant for, once. **Latency**: ${count(s.rate)} signals/s paced by node A,
${count(s.count)} measured after ${count(s.warmup)} unmeasured. **Saturation**: ${
      count(s.flood)
    } signals
as fast as node A can send them with at most ${count(s.window)} not yet received (the generator
reports its count back to node A), so that queues stay bounded; signals/s counts what arrived
after the first tenth, over the time it took. CPU µs/signal is each process's user + system
time from \`/proc/<pid>/stat\` over the saturation phase divided by the signals (node A sends,
node B delivers, the generator receives; all share the same ${doc.cores} cores;
${1000 / doc.clockTicks} ms ticks). What node A sends without awaiting in between goes to
Redis as one command (up to 256 signals): one Lua script for \`signalSession\` (it publishes
the signals whose session a live node holds, in one \`PUBLISH\`, and keeps the others for
replay), one \`PUBLISH\` for \`publish\`; a lone signal is one script or one \`PUBLISH\`.
socket.io's emit is one \`PUBLISH\` each. A short p50 at
saturation means that node A's sending was the bottleneck and the window never filled; a long one
that the window filled up downstream (node B, or the receiving client). ${
      failures > 0 ? `Relays that failed: ${failures}.` : "No relay to Redis failed."
    }

Goals (a p99 of ${count(s.count)} signals on ${doc.cores} cores shared with other jobs moves with
their load: each round's own p99 is listed):

${goals(doc, rows)}

${crossTable(rows, `${count(s.rate)}/s`)}

**Session restore.** One server process alone (no node B), with each session manager: memory,
file (a temporary directory), Redis, and Redis with \`RedisCluster\` (what a cluster node runs: a
restore also takes a session slot in Redis and asks for signals kept for the session). One Bun
connection logs in and keeps the session; a second one restores it ${count(s.restores)} times
(after ${count(s.restoreWarmup)} unmeasured), one at a time: restore-session → reply (measured),
then close-session → reply (which only detaches it).

${restoreTable(doc)}

Run \`npm run bench -- --cluster\` to regenerate this section and the JSON (3 rounds, about 8
minutes), \`node bench/run.mjs --cluster --quick\` for a smoke run of about 15 seconds that only
prints, \`node bench/cluster/measure.mjs --rounds 1 --only webwire-bun,socketio-node\` for some
targets (\`restore-bun\`, \`restore-deno\`, \`restore-node\` for the restore runs).`;
}
