// A reconnect storm after kill -9 (issue #10 (d)): a server process (bench/reliability/
// load_server.ts) with a FileSessionManager in a temporary directory, N clients in a Bun
// process (storm_clients.ts, our Client with autoconnect), each logged in with a session;
// then the server is killed with SIGKILL and started again on the same port and directory.
// Measures the time until every client has its session restored, and the WebSocket upgrades
// the new server saw per 100 ms (from its `beforeUpgrade` hook).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../bench_support.mjs";
import { jsonAfter, now, startClients, startServer, within } from "./load_processes.mjs";

/** Upgrades per 100 ms from the server's start: bucket i counts [i × 100, (i + 1) × 100) ms. */
function histogram(attempts) {
  const buckets = [];
  for (const at of attempts) {
    const i = Math.max(0, Math.floor(at / 100));
    while (buckets.length <= i) buckets.push(0);
    buckets[i]++;
  }
  return buckets;
}

/**
 * Runs one storm of `clients` clients against a server on `runtime`; resolves with the times
 * (ms) from the kill and from the restarted server's start until every session is restored,
 * the sessions restored and lost, and the upgrades per 100 ms the restarted server saw.
 */
export async function measureStorm(runtime, { clients = 1000, seed = 1, deadlineS = 120 } = {}) {
  const directory = mkdtempSync(join(tmpdir(), "webwire-storm-"));
  const sessionArgs = ["--session-dir", directory];
  let server = await startServer(runtime, sessionArgs);
  const load = startClients("storm_clients.ts", [
    server.url,
    String(clients),
    String(seed),
    String(deadlineS),
  ]);
  try {
    await load.line(/^LOGGED_IN \d+$/, 120_000);
    const files = readdirSync(directory).filter((name) => name.endsWith(".wwrsess")).length;
    const killedAt = now();
    await server.kill("SIGKILL");
    server = await startServer(runtime, ["--port", String(server.port), ...sessionArgs]);
    const result = await load.line(/^RESULT (.*)$/, (deadlineS + 30) * 1000).then(jsonAfter);
    process.kill(server.pid, "SIGTERM");
    const stats = jsonAfter(await server.line(/^SHUTDOWN (.*)$/, 20_000));
    const exit = await within(server.exited, 20_000);
    const restoredAt = result.restoredAt.filter((at) => at !== null);
    const last = restoredAt.length === 0 ? null : Math.max(...restoredAt);
    const perHundredMs = histogram(stats.attempts);
    return {
      scenario: "storm",
      runtime,
      clients,
      seed,
      sessionFiles: files,
      restored: result.restored,
      sameKey: result.sameKey,
      lostSessions: result.lostSessions,
      allRestored: result.restored === clients && result.sameKey === clients,
      downMs: stats.listening - killedAt,
      allRestoredAfterKillMs: last === null ? null : last - killedAt,
      allRestoredAfterStartMs: last === null ? null : last - stats.listening,
      medianRestoredAfterStartMs: median(restoredAt.map((at) => at - stats.listening)),
      connectFailures: result.connectFailures,
      upgradesSeen: stats.attempts.length,
      peakUpgradesPer100Ms: Math.max(0, ...perHundredMs),
      upgradesPer100Ms: perHundredMs,
      shutdownExitCode: exit?.code ?? null,
    };
  } finally {
    await server.kill("SIGKILL");
    await load.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  }
}
