/**
 * The codec benchmark under Bun with mitata: `bun run bench/codec_mitata.ts` prints mitata's
 * tables; with `--json` it prints one JSON object (`{ runtime, version, cpu, results }`, times
 * in nanoseconds) for `bench/run.mjs`. The cases and messages are shared with the Deno runner
 * (`codec_bench.ts`). `--filter <text>` runs only the cases whose group or name contains the text
 * (`--filter "16 B"`), for quick comparisons. Uses only mitata and `node:process`, so it also runs
 * under Node or Deno.
 *
 * @module
 */

import process from "node:process";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { type CodecCase, codecCases, verifyCodecCases, warmUpCodecCases } from "./codec_cases.ts";

/** One measured case as `bench/run.mjs` reads it; times in nanoseconds per operation. */
export interface MitataResult {
  group: string;
  name: string;
  baseline: boolean;
  avg: number;
  min: number;
  p50: number;
  p75: number;
  p99: number;
  max: number;
  samples: number;
}

verifyCodecCases();
warmUpCodecCases();

const filterAt = process.argv.indexOf("--filter");
const filter = filterAt < 0 ? undefined : process.argv[filterAt + 1];

const groups = new Map<string, CodecCase[]>();
for (const c of codecCases) {
  if (filter !== undefined && !`${c.group} ${c.name}`.includes(filter)) continue;
  const cases = groups.get(c.group) ?? [];
  cases.push(c);
  groups.set(c.group, cases);
}

for (const [name, cases] of groups) {
  group(name, () => {
    summary(() => {
      for (const c of cases) {
        const fn = c.fn;
        bench(c.name, () => do_not_optimize(fn())).baseline(c.baseline);
      }
    });
  });
}

if (process.argv.includes("--json")) {
  const { context, benchmarks } = await run({ format: "quiet", throw: true });
  const ordered = [...groups.values()].flat();
  const results: MitataResult[] = benchmarks.map((trial, i) => {
    const c = ordered[i];
    const stats = trial.runs[0].stats;
    if (c === undefined || trial.alias !== c.name || stats === undefined) {
      throw new Error(`mitata result ${i} (${trial.alias}) does not match case ${c?.name}`);
    }
    return {
      group: c.group,
      name: c.name,
      baseline: c.baseline,
      avg: stats.avg,
      min: stats.min,
      p50: stats.p50,
      p75: stats.p75,
      p99: stats.p99,
      max: stats.max,
      samples: stats.samples.length,
    };
  });
  const bunVersion = (process.versions as Record<string, string | undefined>).bun;
  console.log(JSON.stringify({
    runtime: context.runtime,
    version: bunVersion ?? process.version,
    cpu: context.cpu.name,
    results,
  }));
} else {
  await run();
}
