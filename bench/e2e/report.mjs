// The end-to-end suite of bench/run.mjs: runs bench/e2e/measure.mjs, turns its results into the
// README section and writes the chart to bench/results/e2e.svg (unless --no-write or --quick
// is on the command line; a --quick smoke run is only printed).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../bench_support.mjs";
import { medianInterval } from "../median_interval.mjs";
import { groupedBarChart } from "./svg_chart.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function measure(quick) {
  console.error(
    `node bench/e2e/measure.mjs${
      quick ? " --quick (about 1 min)" : " (3 rounds and 12 of the ratio points, about 45 min)"
    }`,
  );
  const result = spawnSync(
    process.execPath,
    ["bench/e2e/measure.mjs", ...(quick ? ["--quick"] : [])],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
      timeout: 80 * 60 * 1000,
    },
  );
  if (result.error) throw new Error(`the e2e bench could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`the e2e bench failed with exit code ${result.status}`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

const find = (doc, target, point) =>
  doc.results.find((r) => r.target === target && samePoint(r, point));

/**
 * Server CPU per reply of `ours` against `raw` at `point`, paired: each round's ratio of two
 * figures measured seconds apart (`measure.mjs` runs a point on every target in turn), and the
 * median of those, over the full rounds and the extra rounds of the ratio points, with the
 * interval that holds the true median with at least 95 % probability (null under six rounds),
 * and each side's median µs per reply over those same rounds (`oursUs`, `rawUs`). Runs that
 * kept no rounds compare the medians.
 */
function cpuRatio(doc, ours, raw, point) {
  const ratioOf = (a, b) =>
    typeof a?.serverUsPerItem === "number" && b?.serverUsPerItem > 0
      ? a.serverUsPerItem / b.serverUsPerItem
      : null;
  const allRounds = [...(doc.rounds ?? []), ...(doc.ratioRounds ?? [])];
  const pairs = allRounds.map((results) => {
    const pick = (target) => results.find((r) => r.target === target && samePoint(r, point));
    return [pick(ours), pick(raw)];
  }).filter(([a, b]) => ratioOf(a, b) !== null);
  const perRound = pairs.map(([a, b]) => ratioOf(a, b));
  if (perRound.length > 1) {
    // The µs shown next to the ratio come from the same rounds as the ratio.
    const us = (side) => median(pairs.map((pair) => pair[side].serverUsPerItem));
    return {
      ratio: median(perRound),
      perRound,
      interval: medianInterval(perRound),
      oursUs: us(0),
      rawUs: us(1),
    };
  }
  const [a, b] = [find(doc, ours, point), find(doc, raw, point)];
  const ratio = ratioOf(a, b);
  return {
    ratio,
    perRound: [],
    interval: null,
    oursUs: a?.serverUsPerItem ?? null,
    rawUs: b?.serverUsPerItem ?? null,
  };
}

const samePoint = (r, point) =>
  r.mode === point.mode && r.connections === point.connections &&
  r.inflight === point.inflight && r.payload === point.payload;

const rate = (x) => x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`;
const us = (x) =>
  x === null || Number.isNaN(x)
    ? "n/a"
    : x >= 1000
    ? `${(x / 1000).toFixed(1)} ms`
    : `${x.toFixed(0)} µs`;
const cpu = (x) => x === null ? "n/a" : x.toFixed(2);
const share = (x) => x === null ? "n/a" : `${Math.round(x * 100)} %`;
const size = (bytes) => bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;

function pointLabel(doc, p) {
  return p.mode === "signal"
    ? `signals ${p.connections}×${p.inflight}×${doc.settings.batch}, ${size(p.payload)}`
    : `${p.connections}×${p.inflight}, ${size(p.payload)}`;
}

function fullTable(doc) {
  const rows = [
    "| point | server | replies/s | p50 | p99 | server CPU µs/reply | server CPU | load CPU |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const p of doc.points) {
    for (const [i, t] of doc.targets.entries()) {
      const r = find(doc, t.id, p);
      if (r === undefined) continue;
      const name = t.id.startsWith("webwire") ? `**${t.label}**` : t.label;
      rows.push(
        `| ${i === 0 ? pointLabel(doc, p) : ""} | ${name} | ${rate(r.rate)} | ${us(r.p50)} | ` +
          `${us(r.p99)} | ${cpu(r.serverUsPerItem)} | ${share(r.serverCpuShare)} | ` +
          `${share(r.generatorCpuShare)} |`,
      );
    }
  }
  return rows.join("\n");
}

/** Issue #11: server CPU per reply against the same runtime's raw echo, at these points. */
const serverCpuGoal = { shapes: [[16, 64], [256, 16]], payloads: [16, 4096] };

/**
 * The targets held to #11's server CPU goal, each against its runtime's raw echo: our own
 * adapters at ≤ 1.10×, the Hono adapter (Hono's routing and `WSContext` on top) at ≤ 1.15×.
 */
const serverCpuTargets = [
  { id: "webwire-bun", raw: "raw-bun", limit: 1.1 },
  { id: "webwire-deno", raw: "raw-deno", limit: 1.1 },
  { id: "webwire-deno-tcp", raw: "raw-deno", limit: 1.1 },
  { id: "webwire-node", raw: "raw-node", limit: 1.1 },
  { id: "webwire-hono-bun", raw: "raw-bun", limit: 1.15 },
  { id: "webwire-hono-deno", raw: "raw-deno", limit: 1.15 },
];

function targets(doc) {
  const at = (target, connections, inflight, payload) =>
    find(doc, target, { mode: "request", connections, inflight, payload });
  const lines = [];
  for (const goal of serverCpuTargets) {
    const label = doc.targets.find((t) => t.id === goal.id)?.label;
    if (label === undefined) continue;
    const parts = [];
    const missed = [];
    for (const payload of serverCpuGoal.payloads) {
      for (const [connections, inflight] of serverCpuGoal.shapes) {
        const ours = at(goal.id, connections, inflight, payload);
        const raw = at(goal.raw, connections, inflight, payload);
        if (ours === undefined || raw === undefined) continue;
        const point = { mode: "request", connections, inflight, payload };
        const { ratio, perRound, interval, oursUs, rawUs } = cpuRatio(
          doc,
          goal.id,
          goal.raw,
          point,
        );
        const name = `${connections}×${inflight} ${size(payload)}`;
        if (ratio === null || ratio > goal.limit) missed.push({ name, interval });
        const spread = interval === null
          ? ""
          : `${Math.round(interval.coverage * 100)} % interval ${interval.low.toFixed(2)}–` +
            `${interval.high.toFixed(2)}; `;
        const rounds = perRound.length === 0
          ? ""
          : `rounds ${perRound.map((r) => r.toFixed(2)).join(", ")}; `;
        parts.push(
          `${name} ${ratio === null ? "n/a" : `${ratioText(ratio, goal.limit)}×`} ` +
            `(${spread}${rounds}${cpu(oursUs)} against ${cpu(rawUs)} µs)`,
        );
      }
    }
    if (parts.length === 0) continue;
    lines.push(
      `- ${label}, server CPU per reply against the raw echo (target ≤ ${goal.limit.toFixed(2)}× ` +
        `at every point, #11): ${parts.join(", ")}: ${verdict(parts.length, missed, goal.limit)}.`,
    );
  }
  for (const payload of [16, 4096]) {
    const ours = at("webwire-bun", 16, 64, payload);
    const raw = at("raw-bun", 16, 64, payload);
    if (ours === undefined || raw === undefined) continue;
    const rateRatio = ours.rate / raw.rate;
    lines.push(
      `- Bun, 16×64, ${size(payload)}: throughput ${rate(ours.rate)}/s against ` +
        `${rate(raw.rate)}/s, ${Math.round(rateRatio * 100)} % (target ≥ 90 %: ` +
        `${rateRatio >= 0.9 ? "met" : "**not met**"}).`,
    );
  }
  for (const target of doc.targets.filter((t) => t.id.startsWith("webwire"))) {
    let faster = 0;
    let cheaper = 0;
    let total = 0;
    const behind = [];
    for (const p of doc.points) {
      const ours = find(doc, target.id, p);
      const theirs = find(doc, "socketio-node", p);
      if (ours === undefined || theirs === undefined) continue;
      total++;
      if (ours.rate > theirs.rate) faster++;
      else behind.push(pointLabel(doc, p));
      if (ours.serverUsPerItem < theirs.serverUsPerItem) cheaper++;
    }
    if (total === 0) continue;
    lines.push(
      `- ${target.label} against socket.io on Node: more replies/s at ${faster} of ${total} ` +
        `points, less server CPU per reply at ${cheaper} of ${total} (target: ahead at every ` +
        `point: ${faster === total ? "met" : `**not met**, behind at ${behind.join("; ")}`}).`,
    );
  }
  return lines.join("\n");
}

/** A ratio to two decimals, or three where two would hide on which side of `limit` it lies. */
function ratioText(ratio, limit) {
  const short = ratio.toFixed(2);
  return Number(short) === limit && ratio !== limit ? ratio.toFixed(3) : short;
}

/**
 * "met", or which points missed the limit and whether each miss is more than the noise: a miss
 * whose interval reaches down to the limit could be the machine's noise, one whose whole
 * interval lies above it could not.
 */
function verdict(points, missed, limit) {
  if (missed.length === 0) return "met";
  const why = missed.map(({ name, interval }) =>
    interval === null
      ? name
      : interval.low <= limit
      ? `${name}, whose interval takes in ${limit.toFixed(2)}×`
      : `${name}, whose whole interval lies above ${limit.toFixed(2)}×`
  );
  return `**not met** (met at ${points - missed.length} of ${points} points; missed at ` +
    `${why.join("; ")})`;
}

function chart(doc) {
  const series = [16, 4096].map((payload) => `16×64, ${size(payload)} payload`);
  const panel = (title, unit, value) => ({
    title,
    unit,
    groups: doc.targets.map((t) => ({
      label: t.label,
      values: [16, 4096].map((payload) => {
        const r = find(doc, t.id, { mode: "request", connections: 16, inflight: 64, payload });
        return r === undefined ? null : value(r);
      }),
    })),
  });
  return groupedBarChart({
    title: `WebWire end to end, ${doc.date}: 16 connections × 64 requests in flight`,
    series,
    panels: [
      panel("Replies per second (more is better)", "/s", (r) => r.rate),
      panel("Server CPU time per reply (less is better)", "µs", (r) => r.serverUsPerItem),
    ],
    note: `${doc.cpu}, ${doc.cores} cores; load from a separate Bun process; ` +
      `Bun ${doc.versions.bun}, Deno ${doc.versions.deno}, Node ${doc.versions.node}.`,
  });
}

/** The suite: `{ json, markdown }` for bench/run.mjs. */
export function e2e() {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const doc = measure(quick);
  const markdown = e2eMarkdown(doc);
  if (!quick && !argv.includes("--no-write")) {
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    writeFileSync(join(root, "bench", "results", "e2e.svg"), chart(doc));
    console.error("wrote bench/results/e2e.svg");
  }
  return { json: doc, markdown };
}

/** The README section for the results of a run (`bench/results/e2e.json`). */
export function e2eMarkdown(doc) {
  const quick = doc.quick;
  const v = doc.versions;
  const s = doc.settings;
  const average = (values) => values.map((x) => x.toFixed(2)).join(" ");
  // Runs before the load average was recorded have none.
  const load = doc.loadAverage === undefined
    ? ""
    : `; load average ${average(doc.loadAverage.before)} before, ` +
      `${average(doc.loadAverage.after)} after`;
  // Runs before rounds were kept measured each point once.
  const roundCount = doc.rounds?.length ?? 1;
  const ratioRoundCount = doc.ratioRounds?.length ?? 0;
  const ratioRounds = ratioRoundCount === 0
    ? `, and a ratio against the raw echo is the median of the ${roundCount} rounds' ratios`
    : `. The 16×64 and 256×16 points, where an adapter is held to its raw echo, ran in
${ratioRoundCount} more rounds on every target but socket.io: a ratio against the raw echo is the
median of the ${roundCount + ratioRoundCount} rounds' ratios (one round's ratio moves by ±20 % on
this shared machine), given with the interval between two of those ratios that holds the true
median with at least the probability shown, whatever the rounds' distribution
(\`bench/median_interval.mjs\`), next to each server's median µs per reply over the same rounds`;
  const rounds = roundCount === 1 ? "" : `; every target ran every point in each of ${roundCount}
rounds, point by point with every target in turn (in reverse order every other round), so that a
target and its raw echo are measured seconds apart; each figure below is the median of the
${roundCount}${ratioRounds}`;
  const markdown = `## End-to-end benchmark\n\n` +
    `${quick ? "**A --quick smoke run: short windows, few points.**\n\n" : ""}` +
    `Measured on ${doc.date} by \`npm run bench -- --e2e\` on ${doc.cpu} (${doc.cores} cores,
shared with other jobs, so expect noise of ±10 % or more${load}) over 127.0.0.1, with Bun ${v.bun},
Deno ${v.deno} (V8 ${v.v8}), Node ${v.node}, ws ${v.ws} and socket.io ${v.socketio}
(client ${v.socketioClient}). Raw results: \`bench/results/e2e.json\`.

Every server runs in its own process: **WebWire** is our server with the conformance service
(\`echo\` answers with the request's payload) on the Bun, Deno and Node adapters, and on \`/ws\` of a
Hono app through the Hono adapter (\`hono/bun\`, \`hono/deno\`); the **raw echo**
servers are the same runtime's bare WebSocket server sending each frame back (the floor under our
overhead: no decoding, no dispatch, no encoding); **socket.io** answers \`emit("echo", data, ack)\`
with \`ack(data)\`. The load comes from a separate Bun process per point: raw WebSockets with
requests encoded once and their ids patched in place for every WebWire and raw target (an echoed
request counts as its reply, matched by its id), socket.io-client with acknowledgements for
socket.io; payloads are binary in both. A point is N connections × M requests in flight, run for
${s.seconds} s after a ${s.warmup} s warm-up in which every reply is compared with its request${rounds}.
Signals are one way, client to server, in batches of ${s.batch} each followed by a request whose
reply acknowledges the batch (the raw echo servers drop signals and echo the request). p50 and p99
are reply latencies (for signals: of a whole batch).

**Server CPU µs/reply** is the server process's user + system time from \`/proc/<pid>/stat\` over
the window, divided by the replies (or signals). On this 2-core machine the load generator is
often the bottleneck: where "load CPU" is near 100 % of a core, replies/s measures the generator
as much as the server, and CPU µs/reply is the fairer comparison. Where neither
process is near 100 %, both were waiting on the other jobs that shared the cores; those replies/s
vary by 2× between runs.

Targets:

${targets(doc)}

![Replies per second and server CPU per reply at 16×64](results/e2e.svg)

${fullTable(doc)}

Run \`npm run bench -- --e2e\` to regenerate this section, the chart and the JSON (about
45 minutes on a 2-core machine), \`node bench/run.mjs --e2e --quick\` for a one-minute smoke run that only prints,
\`node bench/run.mjs --e2e --from-results\` to write this section again from the saved JSON.
One generator can be pointed at any WebWire server (the Go reference, say):
\`bun bench/e2e/load_webwire.ts --url ws://127.0.0.1:8080/ --connections 16 --inflight 64
--payload 16 --pid <server pid>\` prints one JSON line.`;
  return markdown;
}
