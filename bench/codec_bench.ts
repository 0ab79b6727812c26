/**
 * The codec benchmark under Deno: `deno bench --allow-read bench/codec_bench.ts`. One group per
 * message and direction, with our codec as the baseline that JSON, msgpackr and the floor are
 * compared against. The cases and messages are shared with the Bun runner (`codec_mitata.ts`);
 * `node bench/run.mjs` runs both and writes the README table. `-- --filter <text>` after the file
 * runs only the cases whose group or name contains the text (`-- --filter "16 B"`).
 *
 * @module
 */

import { codecCases, verifyCodecCases, warmUpCodecCases } from "./codec_cases.ts";

verifyCodecCases();
warmUpCodecCases();

// Every result flows into this module variable, so no run can be dropped as dead code.
let sink = 0;

const filterAt = Deno.args.indexOf("--filter");
const filter = filterAt < 0 ? undefined : Deno.args[filterAt + 1];

for (const c of codecCases) {
  if (filter !== undefined && !`${c.group} ${c.name}`.includes(filter)) continue;
  const fn = c.fn;
  Deno.bench({
    name: c.name,
    group: c.group,
    baseline: c.baseline,
    fn() {
      sink = (sink + fn()) | 0;
    },
  });
}
