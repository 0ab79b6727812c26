/**
 * The session-restore load generator (Bun): one connection logs in (so the session exists and
 * stays held), a second one restores that session again and again, one request at a time:
 * restore-session → reply (measured), then close-session → reply (which only detaches the
 * second connection: the first still holds the session). Prints one JSON line
 * (`RestoreResult`).
 *
 * Usage: `bun bench/cluster/load_restore.ts --url ws://127.0.0.1:<port>/ [--count 2000]
 * [--warmup 200]`
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { deadline, fail } from "../e2e/load_common.ts";
import { RawWebWire } from "./raw_webwire.ts";

/** What the generator prints. Times in ms. */
export interface RestoreResult {
  /** Restores measured (after the warm-up). */
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** The close-session round trips between them: median. */
  closeP50: number;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    url: { type: "string" },
    count: { type: "string", default: "2000" },
    warmup: { type: "string", default: "200" },
  },
});
const url = values.url;
if (url === undefined || new URL(url).hostname !== "127.0.0.1") {
  throw new Error("--url ws://127.0.0.1:<port>/ is required");
}
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!(Number.isInteger(count) && count > 0 && Number.isInteger(warmup) && warmup >= 0)) {
  throw new Error("--count and --warmup take whole numbers");
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}

const utf8Reply = 192;
const binaryReply = 191;

async function main(): Promise<void> {
  deadline(5 * 60 * 1000, "the restore run");
  const holder = await RawWebWire.connect(url!);
  holder.onClose = (code) => fail(`the server closed the holder (${code})`);
  const key = await holder.call("login", "");
  const restorer = await RawWebWire.connect(url!);
  restorer.onClose = (code) => fail(`the server closed the restorer (${code})`);
  const restores = new Float64Array(count);
  const closes = new Float64Array(count);
  for (let i = 0; i < warmup + count; i++) {
    const started = performance.now();
    const restored = await restorer.restoreSession(key);
    const restoredAt = performance.now();
    if (restored.type !== utf8Reply) fail(`restore ${i} answered type ${restored.type}`);
    const closed = await restorer.closeSession();
    if (closed.type !== binaryReply) fail(`close-session ${i} answered type ${closed.type}`);
    if (i >= warmup) {
      restores[i - warmup] = restoredAt - started;
      closes[i - warmup] = performance.now() - restoredAt;
    }
  }
  holder.close();
  restorer.close();
  restores.sort();
  closes.sort();
  const result: RestoreResult = {
    count,
    p50: quantile(restores, 0.5),
    p90: quantile(restores, 0.9),
    p99: quantile(restores, 0.99),
    max: restores[count - 1],
    mean: restores.reduce((a, b) => a + b, 0) / count,
    closeP50: quantile(closes, 0.5),
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((error) =>
  fail(error instanceof Error ? error.stack ?? error.message : String(error))
);
