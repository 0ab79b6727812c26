// The client suite of bench/run.mjs: runs bench/client/measure.mjs and turns its results into
// the README section: per runtime and pipeline depth, the client's time per round trip over
// the raw client's, as the median over the rounds of each round's median window pair. A
// --quick smoke run is only printed.
import { median, runMeasure } from "../bench_support.mjs";

/** The goal of issue #11: our Client at most this many times the raw round trip. */
const goal = 1.15;

const runtimeLabels = {
  deno: (v) => `Deno ${v.deno}`,
  bun: (v) => `Bun ${v.bun}`,
  node: (v) => `Node ${v.node} (ws ${v.ws})`,
  chromium: (v) => `Chromium ${v.chromium} (headless)`,
};

/** Per runtime and point: each round's median ratio, their median, and the pooled rates. */
function summarize(doc) {
  const rows = [];
  const runtimes = [...new Set(doc.results.map((r) => r.runtime))];
  for (const runtime of runtimes) {
    const runs = doc.results.filter((r) => r.runtime === runtime);
    for (const inflight of doc.settings.inflights) {
      const points = runs.map((r) => r.points.find((p) => p.inflight === inflight));
      const roundRatios = points.map((p) => p.ratio);
      const perSecond = (field) => median(points.map((p) => p.requests / (p[field] / 1000)));
      rows.push({
        runtime,
        inflight,
        pairs: points.reduce((sum, p) => sum + p.pairs, 0),
        roundRatios,
        ratio: median(roundRatios),
        raw: perSecond("rawMs"),
        client: perSecond("clientMs"),
      });
    }
  }
  return rows;
}

const rate = (x) => Math.round(x).toLocaleString("en-US");

function table(rows, versions) {
  const lines = [
    "| runtime | in flight | raw client, round trips/s | `Client`, round trips/s | " +
    "`Client` time / raw time (rounds) | goal ≤ 1.15× |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const rounds = r.roundRatios.map((x) => x.toFixed(2)).join(", ");
    lines.push(
      `| ${runtimeLabels[r.runtime](versions)} | ${r.inflight} | ${rate(r.raw)} | ` +
        `${rate(r.client)} | **${r.ratio.toFixed(2)}×** (${rounds}) | ` +
        `${r.ratio <= goal ? "met" : "**not met**"} |`,
    );
  }
  return lines.join("\n");
}

function markdown(doc, rows) {
  const s = doc.settings;
  const met = rows.filter((r) => r.ratio <= goal).length;
  return `Measured on ${doc.date} by \`node bench/run.mjs --client\` on ${doc.cpu} (${doc.cores} cores,
shared with other jobs). Goal (#11): a request through our \`Client\` (\`request()\` until its
promise resolves with the reply) takes at most ${goal}× the round trip of a raw WebSocket client on the
same server; ${met} of ${rows.length} rows meet it.

${table(rows, doc.versions)}

How: one reply server (\`bench/client/reply_server.ts\` on Bun, written by hand, so it costs the
same whoever asks) answers every request frame with a binary reply carrying the request's id and
payload. In each runtime one process (one page in Chromium) opens our \`Client\` and the raw client
(\`bench/client/raw_client.ts\`: it writes each request frame into a new array, sends it and resolves
a promise found by id in a \`Map\`, with no validation, timeout or reconnect) to that server, and
runs both in alternating short windows (64 sequential requests, or 32 rounds of ${
    s.inflights[1]
  } requests
kept in flight; the raw client first in every other pair) for ${s.seconds} s per point after ${s.warmup} s of
warm-up: on a shared 2-core machine the load changes faster than long windows could follow, and
short alternating windows see the same load. A row's ratio is the median over ${doc.rounds} rounds
(every runtime once per round, interleaved) of each round's median window pair; the rates are
the medians of the rounds' median windows. Requests are named \`users.get\` with a ${s.payload}-byte
binary payload; the \`Client\` has its defaults (a 60 s timeout per request). Sequential round
trips are bound by the two processes' scheduling and the runtime's WebSocket, so the client's
own work shows most with ${s.inflights[1]} in flight. Raw results: \`bench/results/client.json\`.`;
}

/** Runs the suite; returns the README section and the raw results. */
export function client() {
  const quick = process.argv.includes("--quick");
  const doc = runMeasure("client", quick, "about 3 min", 15);
  return { json: doc, markdown: markdown(doc, summarize(doc)) };
}
