// Graceful shutdown under load (issue #10 (c)): a server process (bench/reliability/
// load_server.ts) gets N connections × M `echo` requests in flight from a Bun process
// (shutdown_load_client.ts), then SIGTERM, on which it prints the moment it began and calls
// `shutdown()`. Counts the requests sent before that moment that never got a reply (the goal
// is 0), the close codes the connections saw, and the time from SIGTERM to the process's exit.
import { median } from "../bench_support.mjs";
import { jsonAfter, now, sleep, startClients, startServer, within } from "./load_processes.mjs";
import { seededRandom } from "./seeded_random.mjs";

/** How long a trial may take at each step before it counts as hung. */
const limits = { loadedMs: 30_000, exitMs: 20_000, resultMs: 20_000 };

async function trial(runtime, connections, inflight, underLoadMs) {
  const server = await startServer(runtime);
  const load = startClients("shutdown_load_client.ts", [
    server.url,
    String(connections),
    String(inflight),
  ]);
  try {
    await load.line(/^LOADED$/, limits.loadedMs);
    await sleep(underLoadMs);
    const signalledAt = now();
    process.kill(server.pid, "SIGTERM");
    const shutdown = jsonAfter(await server.line(/^SHUTDOWN (.*)$/, limits.exitMs));
    const exit = await within(server.exited, limits.exitMs);
    const result = await load.line(/^RESULT (.*)$/, limits.resultMs).then(jsonAfter, () => null);
    const began = shutdown.at;
    const unanswered = (result ?? []).flatMap((c) => c.unansweredSentAt);
    const inStall = (result ?? []).flatMap((c) => c.unansweredInStallSentAt);
    return {
      hung: exit === null || result === null,
      exitCode: exit?.code ?? null,
      exitMs: exit === null ? null : exit.at - signalledAt,
      sent: sum(result, (c) => c.sent),
      replies: sum(result, (c) => c.replies),
      shutdownReplies: sum(result, (c) => c.shutdownReplies),
      errorReplies: sum(result, (c) => c.otherReplies),
      lostBeforeShutdown: unanswered.filter((at) => at < began).length,
      unansweredAfterShutdown: [...unanswered, ...inStall].filter((at) => at >= began).length,
      lostBeforeShutdownInClientStall: inStall.filter((at) => at < began).length,
      closeCodes: (result ?? []).map((c) => c.code),
    };
  } finally {
    await server.kill("SIGKILL");
    await load.kill("SIGKILL");
  }
}

function sum(list, value) {
  return (list ?? []).reduce((total, item) => total + value(item), 0);
}

/**
 * Runs `trials` shutdowns of a server on `runtime` and resolves with the totals: lost
 * replies, hung trials, close codes seen (code → connections), exit codes and times to exit.
 */
export async function measureShutdown(
  runtime,
  { trials = 10, connections = 16, inflight = 64, seed = 1 } = {},
) {
  const random = seededRandom(seed);
  const runs = [];
  for (let i = 0; i < trials; i++) {
    // Under load for 100 to 400 ms before the signal: the moment within the traffic varies.
    runs.push(await trial(runtime, connections, inflight, 100 + Math.floor(random() * 300)));
  }
  const closeCodes = {};
  for (const code of runs.flatMap((r) => r.closeCodes)) {
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  }
  const exitTimes = runs.map((r) => r.exitMs).filter((ms) => ms !== null);
  return {
    scenario: "shutdown",
    runtime,
    trials,
    connections,
    inflight,
    seed,
    lostBeforeShutdown: sum(runs, (r) => r.lostBeforeShutdown),
    hung: runs.filter((r) => r.hung).length,
    exitCodes: runs.map((r) => r.exitCode),
    closeCodes,
    sent: sum(runs, (r) => r.sent),
    shutdownReplies: sum(runs, (r) => r.shutdownReplies),
    errorReplies: sum(runs, (r) => r.errorReplies),
    unansweredAfterShutdown: sum(runs, (r) => r.unansweredAfterShutdown),
    lostBeforeShutdownInClientStall: sum(runs, (r) => r.lostBeforeShutdownInClientStall),
    exitMs: {
      median: median(exitTimes),
      max: exitTimes.length === 0 ? null : Math.max(...exitTimes),
    },
    runs,
  };
}
