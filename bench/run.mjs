// Runs the benchmarks with the locally installed Deno and Bun, writes their raw results to
// bench/results/<suite>.json and the tables into bench/README.md between the suite's markers.
//
// Usage: node bench/run.mjs [--codec | --e2e | --broadcast | --cluster | --reliability-faults |
//   --reliability-load | --client | --deno-socket | --all] [--quick] [--no-write]
//   --codec     the codec benchmark (default): each runtime 3 times, interleaved, and every case's
//               median of the 3 means (with --quick: once)
//   --e2e       the end-to-end benchmark (bench/e2e/: servers and load generators, ~45 min)
//   --broadcast the broadcast benchmark (bench/broadcast/: 1 000 and 10 000 connections, ~3 min)
//   --cluster   the cluster benchmark (bench/cluster/: cross-node signals on Redis against
//               socket.io's Redis adapter, session restores; starts its own redis-server, ~8 min)
//   --reliability-faults  memory per idle connection, fuzzing, a slow reader (bench/reliability/,
//               #10 a, b, f; ~12 min)
//   --reliability-load  graceful shutdown under load, a reconnect storm after kill -9, kill -9
//               during logins (bench/reliability/, #10 c, d, e; ~2 min)
//   --client    our Client against a raw WebSocket client on one reply server, in Deno, Bun,
//               Node (ws) and headless Chromium (bench/client/)
//   --deno-socket  our Client in Deno over Deno's WebSocket and over DenoWebSocket, one request
//               after another (bench/deno_socket/, about 1 min)
//   --all       every suite in `suites` below
//   --quick     with --e2e: a one-minute smoke run; with --broadcast or --cluster: seconds;
//               printed only
//   --no-write  print the README section instead of writing files
//   --from-results  measure nothing: rewrite the README sections of the chosen suites (e2e,
//               broadcast, cluster) from their saved bench/results/<suite>.json, as after a
//               change to how a report reads the figures
//
// A new suite is a function returning { json, markdown }, added to `suites` with the name of
// its README markers (`<!-- bench:<name>:start -->` ... `<!-- bench:<name>:end -->`).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { broadcast, broadcastSection } from "./broadcast/report.mjs";
import { client } from "./client/report.mjs";
import { denoSocket } from "./deno_socket/report.mjs";
import { cluster, clusterSection } from "./cluster/report.mjs";
import { e2e, e2eMarkdown } from "./e2e/report.mjs";
import { reliabilityFaults } from "./reliability/faults_report.mjs";
import { reliabilityLoad } from "./reliability/load_report.mjs";
import { key, previousCodec, rateText, targets } from "./codec_targets.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const deno = bin("deno");
const bun = bin("bun");

function exec(command, args, what) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
  });
  if (result.error) throw new Error(`${what} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${what} failed with exit code ${result.status}:\n${result.stdout}`);
  }
  console.error(`${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return result.stdout;
}

function cpuModel() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? "unknown CPU";
}

function versions() {
  const denoLines = exec(deno, ["--version"], "deno --version").split("\n");
  const denoVersion = denoLines[0].split(" ")[1];
  const v8 = (denoLines.find((l) => l.startsWith("v8 ")) ?? "").slice(3).replace(/-rusty$/, "");
  const bunVersion = exec(bun, ["--version"], "bun --version").trim();
  return {
    deno: `Deno ${denoVersion}${v8 ? ` (V8 ${v8})` : ""}`,
    bun: `Bun ${bunVersion} (JavaScriptCore)`,
    denoVersion,
    bunVersion,
  };
}

function denoCodec() {
  console.error("deno bench bench/codec_bench.ts (about 30 s) ...");
  const out = exec(deno, ["bench", "--allow-read", "--json", "bench/codec_bench.ts"], "deno");
  const raw = JSON.parse(out);
  const results = new Map();
  for (const b of raw.benches) {
    const ok = b.results[0]?.ok;
    if (!ok) throw new Error(`deno bench ${b.group} / ${b.name} failed: ${JSON.stringify(b)}`);
    results.set(key(b.group, b.name), { ...b, avg: ok.avg });
  }
  return { raw, results };
}

function bunCodec() {
  console.error("bun run bench/codec_mitata.ts --json (about 45 s) ...");
  const out = exec(bun, ["run", "bench/codec_mitata.ts", "--json"], "bun");
  const raw = JSON.parse(out.trim().split("\n").pop());
  const results = new Map();
  for (const r of raw.results) results.set(key(r.group, r.name), r);
  return { raw, results };
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// One runtime's runs merged: per case the median of the runs' means; raw keeps every run.
function medianCodec(runs) {
  const results = new Map();
  for (const [k, first] of runs[0].results) {
    const avgs = runs.map((r) => r.results.get(k)?.avg).filter((x) => x !== undefined);
    results.set(k, { ...first, avg: median(avgs), avgs });
  }
  const { benches: _benches, results: _results, ...meta } = runs[0].raw;
  const medians = [...results.values()].map(({ group, name, avg, avgs }) => ({
    group,
    name,
    avg,
    avgs,
  }));
  return {
    raw: { ...meta, medians, runs: runs.map((r) => r.raw.benches ?? r.raw.results) },
    results,
  };
}

function nsText(ns) {
  if (ns === undefined) return "n/a";
  if (ns < 100) return ns.toFixed(1);
  return Math.round(ns).toLocaleString("en-US");
}

function table(direction, order, deno, bun) {
  const rows = [
    "| case | Deno ns/msg | Deno msg/s | Bun ns/msg | Bun msg/s |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const { group, name, message } of order) {
    if (!group.startsWith(direction)) continue;
    const d = deno.get(key(group, name))?.avg;
    const b = bun.get(key(group, name))?.avg;
    const label = name.startsWith("webwire") ? `**${message}: ${name}**` : `${message}: ${name}`;
    rows.push(`| ${label} | ${nsText(d)} | ${rateText(d)} | ${nsText(b)} | ${rateText(b)} |`);
  }
  return rows.join("\n");
}

function codec() {
  const v = versions();
  const cpu = cpuModel();
  const cores = cpus().length;
  const date = new Date().toISOString().slice(0, 10);
  const previous = previousCodec();
  const loadBefore = loadavg()[0];
  // Three interleaved runs per runtime and the median of each case's means: on a shared machine
  // a single run's mean moves by ±50 % for some rows.
  const runs = process.argv.includes("--quick") ? 1 : 3;
  const denoRuns = [];
  const bunRuns = [];
  for (let i = 0; i < runs; i++) {
    denoRuns.push(denoCodec());
    bunRuns.push(bunCodec());
  }
  const d = medianCodec(denoRuns);
  const b = medianCodec(bunRuns);
  const load = `${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`;
  const order = denoRuns[0].raw.benches.map((x) => ({
    group: x.group,
    name: x.name,
    message: x.group.replace(/^(decode|encode) /, ""),
  }));
  const markdown =
    `Measured on ${date} by \`npm run bench\` on ${cpu} (${cores} cores, shared with other jobs,
so expect some noise; 1-minute load average ${load}) with \`deno bench\` on ${v.deno} and
mitata on ${v.bun}. ns/msg is the mean time of one operation, the median over ${runs} interleaved
run${runs === 1 ? "" : "s"} per runtime; msg/s its inverse. Every case runs for 20 ms before any
is measured, so that none pays for the JIT's first compilation. Raw results (every run):
\`bench/results/codec.json\`.

Targets:

${targets(d.results, b.results, previous, cpu)}

Decoding (our decoder is lazy: \`decodeMessage\` validates the message and returns an object whose
fields are made when read, so every decode case reads what a handler needs, the name as a string,
the payload view and, for requests and replies, the id as a number; the JSON and msgpackr cases
read the same fields, and "JSON.parse + base64 decode" also turns the payload into bytes):

${table("decode", order, d.results, b.results)}

Encoding (\`encodeRequest\`, \`encodeSignal\` or \`encodeReply\` into a new exact-size buffer, and
into a reused buffer through their \`target\` argument; the allocation floor shows what allocating
the message costs in each runtime, which the reused buffer avoids; "scratch (server path)" is the
internal \`encodeSignalInScratch\` or \`encodeReplyInScratch\`, which write the same bytes into one
reused 64 KiB buffer, as the server does on Deno and Bun, whose \`send\` copies before it returns;
a server sends no requests):

${table("encode", order, d.results, b.results)}

The same messages are measured in every row (\`bench/fixtures.ts\`): a request named \`users.get\`
with a binary payload of 16 B, 1 KiB, 64 KiB or 1 MiB, a signal and a reply with 16-byte payloads.
The JSON equivalent is \`{"id":1,"name":"users.get","payload":"<base64>"}\`, parsed from a string
as a WebSocket text frame delivers it, with the base64 left undecoded by "JSON.parse" (which
favours JSON) and decoded by \`Uint8Array.fromBase64\` in "JSON.parse + base64 decode"; the
msgpackr equivalent is \`{id, name, payload}\` with the payload as MessagePack \`bin\`, which msgpackr
decodes into a view. The floors are the least any decoder or encoder must do: read the type byte
and make one \`subarray\`; allocate the message and copy the payload. Run \`npm run bench\` to
regenerate this section, \`deno task bench\` or \`bun run bench/codec_mitata.ts\` for one runtime.`;
  return {
    markdown,
    json: {
      date,
      cpu,
      cores,
      node: process.version,
      deno: { version: v.denoVersion, ...d.raw },
      bun: { version: v.bunVersion, ...b.raw },
    },
  };
}

const suites = {
  codec,
  e2e,
  broadcast,
  cluster,
  client,
  "deno-socket": denoSocket,
  "reliability-faults": reliabilityFaults,
  "reliability-load": reliabilityLoad,
};

/** The suites whose README section can be written again from their saved results. */
const sections = { e2e: e2eMarkdown, broadcast: broadcastSection, cluster: clusterSection };

/** A suite that reads its saved results instead of measuring (`--from-results`). */
function fromResults(name) {
  const section = sections[name];
  if (section === undefined) {
    throw new Error(`--from-results: the ${name} suite cannot be written from its results`);
  }
  const json = JSON.parse(readFileSync(join(root, "bench", "results", `${name}.json`), "utf8"));
  return { json, markdown: section(json) };
}

function formatMarkdown(text) {
  const result = spawnSync(deno, ["fmt", "--ext=md", "-"], {
    cwd: root,
    input: text,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`deno fmt failed: ${result.stderr}`);
  return result.stdout.trim();
}

function replaceSection(readme, name, body) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`bench/README.md has no ${start} ... ${end} markers`);
  return `${readme.slice(0, from + start.length)}\n\n${body}\n\n${readme.slice(to)}`;
}

function main() {
  const args = process.argv.slice(2);
  const flags = [
    ...Object.keys(suites).map((name) => `--${name}`),
    "--all",
    "--quick",
    "--no-write",
    "--from-results",
  ];
  const unknown = args.filter((a) => !flags.includes(a));
  if (unknown.length > 0) {
    // A usage error: one line and exit code 2, not a stack trace.
    console.error(
      `bench/run.mjs: unknown arguments: ${unknown.join(" ")} (expected: ${flags.join(" ")})`,
    );
    process.exit(2);
  }
  const chosen = Object.keys(suites).filter((name) => args.includes(`--${name}`));
  const names = args.includes("--all")
    ? Object.keys(suites)
    : chosen.length > 0
    ? chosen
    : ["codec"];
  const write = !args.includes("--no-write") && !args.includes("--quick");
  for (const name of names) {
    const { markdown, json } = args.includes("--from-results") ? fromResults(name) : suites[name]();
    const section = formatMarkdown(markdown);
    if (!write) {
      console.log(section);
      continue;
    }
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    writeFileSync(
      join(root, "bench", "results", `${name}.json`),
      `${JSON.stringify(json, null, 2)}\n`,
    );
    const readmePath = join(root, "bench", "README.md");
    writeFileSync(readmePath, replaceSection(readFileSync(readmePath, "utf8"), name, section));
    console.log(section);
    console.error(`wrote bench/results/${name}.json and the ${name} section of bench/README.md`);
  }
}

main();
