// The reliability load benchmark (issue #10 (c), (d), (e)): graceful shutdown under load, a
// reconnect storm after kill -9, and kill -9 during concurrent logins, each against a server
// process on Bun, Deno and Node (bundled with esbuild). Prints one JSON line per scenario and
// runtime (progress on stderr); bench/reliability/load_report.mjs turns them into the table
// of bench/README.md.
//
// Usage: node bench/reliability/load_measure.mjs [--quick] [--only shutdown,storm,logins]
//          [--runtimes bun,deno,deno-tcp,node] [--seed N]
//   full:    10 shutdown trials of 16 connections × 64 requests in flight, a storm of 1 000
//            clients, 10 kill rounds amid 50 login workers (about 2 minutes)
//   --quick: 2 trials, 100 clients, 2 rounds (seconds)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildNodeServer, runtimes } from "./load_processes.mjs";
import { measureLoginCrash } from "./login_crash.mjs";
import { measureStorm } from "./reconnect_storm.mjs";
import { measureShutdown } from "./shutdown_under_load.mjs";

/** The settings of a full and of a quick run. */
export const settings = {
  full: { trials: 10, clients: 1000, rounds: 10, workers: 50 },
  quick: { trials: 2, clients: 100, rounds: 2, workers: 50 },
};

/** The scenarios, each measured on one runtime with the run's settings. */
export const scenarios = {
  shutdown: (runtime, s, seed) => measureShutdown(runtime, { trials: s.trials, seed }),
  storm: (runtime, s, seed) => measureStorm(runtime, { clients: s.clients, seed }),
  logins: (runtime, s, seed) =>
    measureLoginCrash(runtime, { rounds: s.rounds, workers: s.workers, seed }),
};

/**
 * Measures the chosen scenarios on the chosen runtimes, calling `report` with each result as
 * it comes; resolves with all of them.
 */
export async function measureLoad(
  { quick = false, only = Object.keys(scenarios), on = runtimes, seed = 1, report = () => {} } = {},
) {
  if (on.includes("node")) await buildNodeServer();
  const results = [];
  for (const scenario of only) {
    for (const runtime of on) {
      const started = Date.now();
      const result = await scenarios[scenario](
        runtime,
        quick ? settings.quick : settings.full,
        seed,
      );
      console.error(`${scenario} on ${runtime}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      results.push(result);
      report(result);
    }
  }
  return results;
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", default: Object.keys(scenarios).join(",") },
      runtimes: { type: "string", default: runtimes.join(",") },
      seed: { type: "string", default: "1" },
    },
  });
  const only = values.only.split(",");
  const on = values.runtimes.split(",");
  for (const name of only) if (!(name in scenarios)) throw new Error(`unknown scenario ${name}`);
  for (const name of on) if (!runtimes.includes(name)) throw new Error(`unknown runtime ${name}`);
  await measureLoad({
    quick: values.quick,
    only,
    on,
    seed: Number(values.seed),
    report: (result) => console.log(JSON.stringify(result)),
  });
}
