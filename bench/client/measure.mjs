// Runs the client benchmark: starts the reply server (bench/client/reply_server.ts on Bun) on
// 127.0.0.1, then measures our Client against the hand-written raw client (raw_client.ts) in
// each runtime: Deno, Bun, Node (ws; load_client.ts bundled by esbuild) and headless Chromium
// (round_trips.ts bundled for the page, driven by playwright-core). Both clients talk to the
// same server in alternating short windows (round_trips.ts); rounds run every runtime again,
// interleaved. Prints one JSON document on stdout (progress on stderr); any failure ends the
// run with a non-zero exit code, and every process is bounded in time.
//
// Usage: node bench/client/measure.mjs [--quick] [--rounds N] [--only deno,bun,node,chromium]
//   --quick   a smoke run: 1 s per point, 1 round
//   --rounds  how many times to run every runtime (default 3)
//   --only    run only these runtimes
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { bin, bundleForNode, lastJsonLine, measureArgs, root } from "../bench_support.mjs";
import { launchChromium } from "../../scripts/chromium.mjs";

const deno = bin("deno");
const bun = bin("bun");
// Inside the repository, so that the Node bundle's external `ws` resolves from node_modules.
const buildDir = join(root, "dist", "bench_client");

const { quick, only, rounds } = measureArgs(process.argv.slice(2));
const settings = {
  inflights: [1, 64],
  payload: 16,
  seconds: quick ? 1 : 4,
  warmup: quick ? 0.3 : 1,
};
const runtimes = ["deno", "bun", "node", "chromium"].filter((r) =>
  only === null || only.includes(r)
);
if (runtimes.length === 0) throw new Error("--only matched no runtime");

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function log(text) {
  process.stderr.write(`${text}\n`);
}

/** Starts the reply server and resolves with its URL once it printed its READY line. */
function startServer() {
  const child = spawn(bun, ["bench/client/reply_server.ts", "--lifetime", "900"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error("the reply server did not start")), 20_000);
    child.on("exit", (code) => reject(new Error(`the reply server exited with code ${code}`)));
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /^READY (\S+) \d+$/m.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ child, url: match[1] });
    });
  });
}

function loadArgs(url) {
  return [
    "--url",
    url,
    "--inflight",
    settings.inflights.join(","),
    "--payload",
    String(settings.payload),
    "--seconds",
    String(settings.seconds),
    "--warmup",
    String(settings.warmup),
  ];
}

/** Runs load_client.ts in a runtime process and resolves with its `points`. */
async function runProcess(runtime, url) {
  const script = "bench/client/load_client.ts";
  const [command, args] = runtime === "deno"
    ? [deno, ["run", "-A", script]]
    : runtime === "bun"
    ? [bun, [script]]
    : [process.execPath, [join(buildDir, "load_client.mjs")]];
  const child = spawn(command, [...args, ...loadArgs(url)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.add(child);
  const { points } = await lastJsonLine(child, {
    what: runtime,
    limitMs: (settings.seconds + settings.warmup) * settings.inflights.length * 1000 + 60_000,
    children,
  });
  return points;
}

async function buildBundles() {
  await bundleForNode(join("bench", "client", "load_client.ts"), join(buildDir, "load_client.mjs"));
  const page = await build({
    entryPoints: [join(root, "bench", "client", "round_trips.ts")],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    globalName: "clientBench",
    target: "es2022",
    logLevel: "warning",
  });
  return page.outputFiles[0].text;
}

/** Runs round_trips.ts in a fresh headless Chromium page and resolves with its `points`. */
async function runChromium(browser, pageScript, url) {
  const page = await browser.newPage();
  try {
    await page.addScriptTag({ content: pageScript });
    return await page.evaluate(
      (options) =>
        globalThis.clientBench.measureRoundTrips({ ...options, WebSocket: globalThis.WebSocket }),
      { url, ...settings },
    );
  } finally {
    await page.close();
  }
}

/** The value at `fraction` of the sorted values (nearest rank). */
function quantile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/**
 * One point of one run: its window pairs, the quartiles of their ratios (the client's time
 * over the raw client's) and the median window of each client in milliseconds.
 */
function summarize(point) {
  const ratios = point.client.map((c, i) => c / point.raw[i]).sort((a, b) => a - b);
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const round = (x) => Number(x.toPrecision(4));
  return {
    inflight: point.inflight,
    requests: point.requests,
    pairs: ratios.length,
    ratio: round(quantile(ratios, 0.5)),
    ratioQ1: round(quantile(ratios, 0.25)),
    ratioQ3: round(quantile(ratios, 0.75)),
    rawMs: round(quantile(sorted(point.raw), 0.5)),
    clientMs: round(quantile(sorted(point.client), 0.5)),
  };
}

function cpuModel() {
  const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
    .find((l) => l.startsWith("model name"));
  return line ? line.slice(line.indexOf(":") + 1).trim() : cpus()[0]?.model ?? "unknown CPU";
}

function versions(browser) {
  const denoLines = execFileSync(deno, ["--version"], { encoding: "utf8" }).split("\n");
  const ws = JSON.parse(readFileSync(join(root, "node_modules", "ws", "package.json"), "utf8"));
  return {
    deno: denoLines[0].split(" ")[1],
    bun: execFileSync(bun, ["--version"], { encoding: "utf8" }).trim(),
    node: process.version.slice(1),
    ws: ws.version,
    chromium: browser?.version() ?? null,
  };
}

async function main() {
  const started = Date.now();
  const pageScript = await buildBundles();
  const browser = runtimes.includes("chromium") ? await launchChromium() : null;
  const server = await startServer();
  const results = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const runtime of runtimes) {
        const points = runtime === "chromium"
          ? await runChromium(browser, pageScript, server.url)
          : await runProcess(runtime, server.url);
        const summaries = points.map(summarize);
        results.push({ runtime, round, points: summaries });
        const text = summaries.map((p) => `${p.inflight} in flight ${p.ratio.toFixed(3)}×`)
          .join(", ");
        log(`round ${round + 1} ${runtime}: ${text}`);
      }
    }
  } finally {
    server.child.kill("SIGTERM");
    await browser?.close();
  }
  log(`client: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const document = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    rounds,
    cpu: cpuModel(),
    cores: cpus().length,
    versions: versions(browser),
    settings,
    results,
  };
  // Exit only once the document is written: a pipe takes it in several writes.
  process.stdout.write(`${JSON.stringify(document)}\n`, () => process.exit(0));
}

main().catch((error) => {
  log(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
