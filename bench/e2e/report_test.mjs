import assert from "node:assert/strict";
import { test } from "node:test";
import { e2eMarkdown } from "./report.mjs";

const point = { mode: "request", connections: 16, inflight: 64, payload: 16 };

/** One round's results of both targets at the point, with these µs per reply. */
function round(oursUs, rawUs) {
  const result = (target, us) => ({
    target,
    ...point,
    count: 100_000,
    seconds: 2.5,
    rate: 40_000,
    p50: 100,
    p99: 200,
    serverTicks: us * 10,
    serverUsPerItem: us,
    serverCpuShare: 0.5,
    generatorCpuShare: 0.5,
    verified: 1000,
  });
  return [result("webwire-deno", oursUs), result("raw-deno", rawUs)];
}

test("a target line's µs per reply come from the rounds its ratio comes from", () => {
  // Three full rounds at 15 against 13 µs, then twelve ratio rounds at 12 against 12 µs: the
  // paired median is 1.00×, and so must be the µs shown next to it.
  const rounds = [round(15, 13), round(15, 13), round(15, 13)];
  const ratioRounds = Array.from({ length: 12 }, () => round(12, 12));
  const doc = {
    date: "2026-12-06",
    quick: false,
    cpu: "test CPU",
    cores: 2,
    clockTicks: 100,
    versions: { deno: "2", v8: "1", bun: "1", node: "20", ws: "8", socketio: "4" },
    settings: { warmup: 0.5, seconds: 2.5, batch: 64, signalBatchesInFlight: 4 },
    targets: [
      { id: "webwire-deno", label: "WebWire on Deno", generator: "webwire" },
      { id: "raw-deno", label: "raw echo, Deno", generator: "webwire" },
    ],
    points: [{ ...point, label: "16×64 16 B" }],
    rounds,
    ratioRounds,
    // As measure.mjs makes them: the median over the full rounds.
    results: round(15, 13),
  };
  const line = e2eMarkdown(doc).split("\n").find((l) => l.startsWith("- WebWire on Deno,"));
  assert.match(line, /16×64 16 B 1\.00×/);
  assert.match(line, /12\.00 against 12\.00 µs/, line);
});
