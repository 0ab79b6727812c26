// The cost of durable session writes: FileSessionManager with and without `durable`, on the
// file system of the directory given (default: the system's temporary directory; tmpfs makes
// fsync free, so measure where sessions will live). Each round creates a session, looks it up
// (a rewrite) and closes it (a removal); rounds run one after another (latency) and 16 at once
// (throughput). Prints one JSON line per mode.
//
// Usage: deno run -A bench/session_file_bench.ts [directory] [rounds]
//        bun bench/session_file_bench.ts [directory] [rounds]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import { generateSessionKey } from "../session/session_key.ts";

const parent = process.argv[2] ?? tmpdir();
const rounds = Number(process.argv[3] ?? 200);
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

async function round(manager: FileSessionManager, times: number[][]): Promise<void> {
  const key = generateSessionKey();
  const now = Timestamp.now();
  const steps: [number, () => Promise<unknown>][] = [
    [0, () => manager.onSessionCreated({ key, creation: now, lastLookup: now })],
    [1, () => manager.onSessionLookup(key)],
    [2, () => manager.onSessionClosed(key)],
  ];
  for (const [index, step] of steps) {
    const started = performance.now();
    await step();
    times[index].push(performance.now() - started);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

for (const durable of [false, true]) {
  const directory = await mkdtemp(join(parent, "webwire-session-bench-"));
  try {
    const manager = new FileSessionManager({ directory, durable });
    const times: number[][] = [[], [], []];
    await round(manager, [[], [], []]); // creates the directory
    for (let i = 0; i < rounds; i++) await round(manager, times);
    const concurrent = 16;
    const started = performance.now();
    const ignored: number[][] = [[], [], []];
    for (let done = 0; done < rounds; done += concurrent) {
      await Promise.all(Array.from({ length: concurrent }, () => round(manager, ignored)));
    }
    const seconds = (performance.now() - started) / 1000;
    const ms = (values: number[]) => ({
      median: Number(median(values).toFixed(3)),
      p99: Number(p99(values).toFixed(3)),
    });
    console.log(JSON.stringify({
      runtime,
      durable,
      directory: parent,
      rounds,
      createMs: ms(times[0]),
      lookupMs: ms(times[1]),
      closeMs: ms(times[2]),
      sessionsPerSecond16AtOnce: Math.round(Math.ceil(rounds / concurrent) * concurrent / seconds),
    }));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
