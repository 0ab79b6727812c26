// The codec benchmark's targets (issue #11) as the README's lines, from the median results of
// each runtime (Maps from `key(group, name)` to `{ avg }` in ns), and the helpers they share
// with bench/run.mjs.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The key of a case in the results: its group and name. */
export const key = (group, name) => `${group}\u0000${name}`;

/** Messages per second for a mean of `ns` per message, as the tables print it. */
export function rateText(ns) {
  if (ns === undefined) return "n/a";
  const rate = 1e9 / ns;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`;
  return rate.toFixed(0);
}

const smallMessages = ["request 16 B", "signal 16 B", "reply 16 B"];

function verdict(ok) {
  return ok ? "met" : "**not met**";
}

// The previous codec results (bench/results/codec.json before this run overwrites it), to
// compare Bun's encoders with; undefined when there are none.
export function previousCodec() {
  try {
    return JSON.parse(readFileSync(join(root, "bench", "results", "codec.json"), "utf8"));
  } catch {
    return undefined;
  }
}

function bunEncodeAgainstPrevious(bun, previous, cpu) {
  const target = "Small encodes on Bun no slower than before";
  const name = "webwire encode";
  const now = smallMessages.map((m) => bun.get(key(`encode ${m}`, name))?.avg ?? Number.NaN);
  const nowText = smallMessages.map((m, i) => `${m.split(" ")[0]} ${rateText(now[i])}`)
    .join(", ");
  if (previous === undefined || previous.cpu !== cpu) {
    const where = previous === undefined
      ? "no previous results"
      : `the previous run was on ${previous.cpu} (${previous.date})`;
    return `- ${target}: ${nowText} msg/s; ${where}, not comparable: see the before/after ` +
      "table below the codec tables.";
  }
  const previousResults = previous.bun.medians ?? previous.bun.results ?? [];
  const before = smallMessages.map((m) =>
    previousResults.find((r) => r.group === `encode ${m}` && r.name === name)?.avg ?? Number.NaN
  );
  const ratios = now.map((ns, i) => ns / before[i]);
  const worst = Math.max(...ratios);
  return `- ${target} (the previous run, ${previous.date}, same CPU; ±10 % is noise here): ` +
    `${nowText} msg/s, ${worst.toFixed(2)}× the previous time at worst ` +
    `(${verdict(worst <= 1.1)}).`;
}

export function targets(deno, bun, previous, cpu) {
  const ours = "webwire decodeMessage";
  const avg = (runtime, group, name) => runtime.get(key(group, name))?.avg ?? Number.NaN;
  const small = (r) => avg(r, "decode request 16 B", ours);
  const rate = (r) => 1e9 / small(r) / 1e6;
  const floor = (r) => small(r) / avg(r, "decode request 16 B", "floor: type byte + subarray");
  const json = (r) => avg(r, "decode request 16 B", "JSON.parse + base64 decode") / small(r);
  const jsonOnly = (r) => avg(r, "decode request 16 B", "JSON.parse") / small(r);
  const floorAgainstJson = (r) =>
    avg(r, "decode request 16 B", "JSON.parse + base64 decode") /
    avg(r, "decode request 16 B", "floor: type byte + subarray");
  const big = (r) => avg(r, "decode request 1 MiB", ours) / small(r);
  const jsonKiB = (r) =>
    avg(r, "decode request 1 KiB", "JSON.parse + base64 decode") /
    avg(r, "decode request 1 KiB", ours);
  const line = (target, measure, unit, ok) =>
    `- ${target}: ` +
    [["Deno", deno], ["Bun", bun]].map(([runtime, r]) =>
      `${runtime} ${measure(r).toFixed(2)}${unit} (${verdict(ok(measure(r)))})`
    ).join(", ") + ".";
  const sentByServers = ["signal 16 B", "reply 16 B"];
  const scratch = sentByServers.map((m) =>
    1e9 / avg(deno, `encode ${m}`, "webwire encode, scratch (server path)") / 1e6
  );
  const scratchText = sentByServers.map((m, i) => `${m.split(" ")[0]} ${scratch[i].toFixed(2)} M`)
    .join(", ");
  const publicText = smallMessages.map((m) =>
    `${m.split(" ")[0]} ${rateText(avg(deno, `encode ${m}`, "webwire encode"))}`
  ).join(", ");
  const allocation = rateText(avg(deno, "encode request 16 B", "floor: allocate + copy payload"));
  return [
    line("Small-request decode ≥ 14 M msg/s", rate, " M msg/s", (x) => x >= 14),
    line(
      "Small-request decode within 1.6× of the floor (type byte + `subarray`)",
      floor,
      "×",
      (x) => x <= 1.6,
    ),
    line(
      "Request decode ≥ 5× as fast as `JSON.parse` plus base64 decode of the payload, at 1 KiB " +
        '(#11\'s "≥ 5× JSON.parse", restated: a JSON protocol must also decode the base64 of a ' +
        "binary payload before a handler can use it)",
      jsonKiB,
      "×",
      (x) => x >= 5,
    ),
    "- No target at 16 bytes, where the floor rules 5× out on Bun: a decoder that does nothing " +
    "but read the type byte and make one view is " +
    [["Deno", deno], ["Bun", bun]].map(([n, r]) => `${n} ${floorAgainstJson(r).toFixed(2)}×`)
      .join(", ") +
    " as fast as `JSON.parse` plus base64 there. Ours: " +
    [["Deno", deno], ["Bun", bun]].map(([n, r]) => `${n} ${json(r).toFixed(2)}×`).join(", ") +
    " (against `JSON.parse` alone: " +
    [["Deno", deno], ["Bun", bun]].map(([n, r]) => `${n} ${jsonOnly(r).toFixed(2)}×`).join(", ") +
    ").",
    line("1 MiB request decode within 1.5× of the 16-byte one", big, "×", (x) => x <= 1.5),
    `- Small encodes ≥ 5 M msg/s on Deno, on the server's path (signals and replies encoded ` +
    `into one reused buffer, \`protocol/encode_in_scratch.ts\`, since Deno's and Bun's \`send\` ` +
    `copy the bytes before they return): ${scratchText} msg/s (${
      verdict(Math.min(...scratch) >= 5)
    }). The public encoders return arrays of their own and stay bound by Deno's allocation ` +
    `(${publicText} msg/s, against ${allocation} msg/s for allocating and copying alone).`,
    bunEncodeAgainstPrevious(bun, previous, cpu),
  ].join("\n");
}
