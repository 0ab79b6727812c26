// The broadcast suite of bench/run.mjs: runs bench/broadcast/measure.mjs and turns its results
// into the README section (medians over the rounds). A --quick smoke run is only printed.
import { median, runMeasure } from "../bench_support.mjs";

/** Nearest-rank quantile of plain numbers. */
function quantile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}

/** One row per target and point: medians over the rounds, the last arrivals pooled. */
function summarize(doc) {
  const rows = [];
  for (const point of doc.points) {
    for (const target of doc.targets) {
      const runs = doc.results.filter((r) =>
        r.target === target.id && r.connections === point.connections
      );
      if (runs.length === 0) continue;
      const m = (field) => median(runs.map((r) => r[field]));
      const lasts = runs.flatMap((r) => r.lastArrivals);
      const cpu = runs.map((r) => r.serverUsPerDelivery).filter((x) => x !== null);
      rows.push({
        target,
        connections: point.connections,
        broadcasts: lasts.length,
        rounds: runs.length,
        arrivalP50: m("arrivalP50"),
        arrivalP99: m("arrivalP99"),
        lastP50: quantile(lasts, 0.5),
        lastP99: quantile(lasts, 0.99),
        callP50: m("callP50"),
        serverUs: m("serverUsPerDelivery"),
        serverUsMin: cpu.length ? Math.min(...cpu) : null,
        serverUsMax: cpu.length ? Math.max(...cpu) : null,
        generatorUs: m("generatorUsPerDelivery"),
        callAfterTrigger: m("callAfterTrigger"),
      });
    }
  }
  return rows;
}

const ms = (x) => x === null ? "n/a" : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`;
const us = (x) => x === null ? "n/a" : x.toFixed(2);
const count = (n) => n.toLocaleString("en-US");

function table(rows) {
  const lines = [
    "| connections | server | last arrival p50 | last arrival p99 | every arrival p50 / p99 | " +
    "call returns | server CPU µs/delivery (rounds) | vs socket.io | load CPU µs/delivery |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const socketio = rows.find((x) =>
      x.target.id === "socketio-node" && x.connections === r.connections
    );
    const ratio =
      r.target.id === "socketio-node" || !(socketio?.serverUs > 0) || r.serverUs === null
        ? ""
        : `${(r.serverUs / socketio.serverUs).toFixed(2)}×`;
    const name = r.target.id.startsWith("webwire") ? `**${r.target.label}**` : r.target.label;
    const spread = r.rounds > 1 ? ` (${us(r.serverUsMin)}–${us(r.serverUsMax)})` : "";
    lines.push(
      `| ${count(r.connections)} | ${name} | ${ms(r.lastP50)} | ${ms(r.lastP99)} | ` +
        `${ms(r.arrivalP50)} / ${ms(r.arrivalP99)} | ${ms(r.callP50)} | ` +
        `${us(r.serverUs)}${spread} | ${ratio} | ${us(r.generatorUs)} |`,
    );
  }
  return lines.join("\n");
}

function goals(doc, rows) {
  if (doc.quick) {
    return "- Not judged: a smoke run has too few deliveries for the CPU clock's ticks.";
  }
  const lines = [];
  const behind = [];
  const ratios = [];
  for (const r of rows.filter((x) => x.target.id.startsWith("webwire"))) {
    const theirs = rows.find((x) =>
      x.target.id === "socketio-node" && x.connections === r.connections
    );
    if (theirs === undefined || r.serverUs === null || theirs.serverUs === null) continue;
    const ratio = r.serverUs / theirs.serverUs;
    ratios.push(`${r.target.label} at ${count(r.connections)} ${ratio.toFixed(2)}×`);
    if (!(ratio < 1)) behind.push(`${r.target.label} at ${count(r.connections)}`);
  }
  if (ratios.length > 0) {
    lines.push(
      `- Less server CPU per delivered signal than socket.io on every runtime (medians of the ` +
        `rounds; ours ÷ socket.io's: ${ratios.join(", ")}): ` +
        `${behind.length === 0 ? "met" : `**not met** (${behind.join(", ")})`}.`,
    );
  }
  const bun = rows.find((x) => x.target.id === "webwire-bun" && x.connections === 10_000);
  if (bun !== undefined) {
    const floor = bun.generatorUs * bun.connections / 1000;
    const perRound = doc.results
      .filter((r) => r.target === "webwire-bun" && r.connections === 10_000)
      .map((r) => ms(r.lastP99)).join(", ");
    lines.push(
      `- A broadcast to 10 000 connections delivered to all within 50 ms on Bun, read as the ` +
        `p99 of the last arrival over ${bun.broadcasts} broadcasts: ${ms(bun.lastP99)} ` +
        `(p50 ${ms(bun.lastP50)}; the rounds' own p99s ${perRound}): ` +
        `${bun.lastP99 <= 50 ? "met" : "**not met**"}. The server's ` +
        `\`broadcast\` call itself returns after ${ms(bun.callP50)} (median); the single Bun ` +
        `process that receives all 10 000 signals spends about ${ms(floor)} of CPU on them ` +
        `(${us(bun.generatorUs)} µs each), on the same 2 cores as the server, so the last ` +
        `arrival measures that receiver as much as the server.`,
    );
  }
  return lines.join("\n");
}

/** The suite: `{ json, markdown }` for bench/run.mjs. */
export function broadcast() {
  const doc = runMeasure("broadcast", process.argv.slice(2).includes("--quick"), "about 3 min", 30);
  return { json: doc, markdown: broadcastSection(doc) };
}

/** The README section for a document of bench/broadcast/measure.mjs. */
export function broadcastSection(doc) {
  const quick = doc.quick;
  const v = doc.versions;
  const rows = summarize(doc);
  const setup = doc.points.map((p) =>
    `${count(p.connections)} connections: ${p.broadcasts} broadcasts after ${p.warmup} unmeasured`
  ).join("; ");
  const markdown = `### Broadcast benchmark\n\n` +
    `${quick ? "**A --quick smoke run: 50 connections, 2 broadcasts.**\n\n" : ""}` +
    `Measured on ${doc.date} by \`npm run bench -- --broadcast\` on ${doc.cpu} (${doc.cores} cores,
shared with other engineers' test runs: load average ${doc.loadAverages.join(" → ")} over the
rounds, so the figures are noisy) over 127.0.0.1, with Bun ${v.bun}, Deno ${v.deno} (V8 ${v.v8}),
Node ${v.node}, ws ${v.ws} and socket.io ${v.socketio} (client ${v.socketioClient}); medians of
${doc.rounds} round${doc.rounds > 1 ? "s" : ""}. Raw results: \`bench/results/broadcast.json\`.

One 64-byte binary signal goes to every connection: our server calls
\`server.broadcast("tick", payload)\` (encoded once, the same bytes to every socket) on the Bun,
Deno and Node (\`ws\`) adapters; socket.io 4 on Node calls \`io.emit("tick", buffer)\` (which
sends a binary event as two frames, a header and the attachment: that is how socket.io carries
binary). One Bun
load-generator process holds every connection (raw WebSockets speaking WebWire; socket.io-client
with \`transports: ["websocket"]\`) and triggers each broadcast with a request (an event with an
acknowledgement for socket.io) from its first connection; the next broadcast starts ${doc.gapMs} ms
after every connection has the previous one, so broadcasts never overlap (${setup}). A fresh
server serves each point.

Arrival times are counted from the server's call: the server stamps its clock
(\`performance.timeOrigin + performance.now()\`) into the payload just before the call, and the
generator subtracts it from its own clock on arrival (one machine, one system clock; the stamp
comes ${ms(median(rows.map((r) => r.callAfterTrigger)))} after the trigger was sent, median, as
it should). **Last arrival** is, per broadcast, when the last connection got it, with p50 and
p99 over all broadcasts of all rounds; **every arrival** is p50 / p99 over every connection's
arrival in a round (median of the rounds). **Call returns** is how long the server's \`broadcast\` / \`io.emit\` call took.
**Server CPU µs/delivery** is the server process's user + system time from \`/proc/<pid>/stat\`
over the measured broadcasts divided by the signals delivered (median, with the rounds' range);
**load CPU** is the same for the generator. \`/proc\` counts in ${1000 / doc.clockTicks} ms ticks.

Goals:

${goals(doc, rows)}

${table(rows)}

Run \`npm run bench -- --broadcast\` to regenerate this section and the JSON (3 rounds, about 3
minutes), \`node bench/run.mjs --broadcast --quick\` for a smoke run of a few seconds that only
prints, \`node bench/broadcast/measure.mjs --rounds 1 --only webwire-bun\` for one target.`;
  return markdown;
}
