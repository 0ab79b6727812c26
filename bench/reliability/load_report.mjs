// The reliability-load suite of bench/run.mjs (issue #10 (c), (d), (e)): runs
// bench/reliability/load_measure.mjs and turns its JSON lines into the README section between
// the `reliability-load` markers: per runtime, met or not met against the goals, and the
// figures. A --quick run is only printed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { bin, root } from "../bench_support.mjs";
import { goalsOf } from "./load_goals.mjs";
import { runtimeLabels, runtimes } from "./load_processes.mjs";

function output(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
  return result.stdout;
}

function cpuModel() {
  const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
    .find((l) => l.startsWith("model name"));
  return line ? line.slice(line.indexOf(":") + 1).trim() : cpus()[0]?.model ?? "unknown CPU";
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Runs the measurement (quick or full) and resolves with its results and the machine. */
function measure(quick) {
  const loadBefore = loadAverage();
  console.error(
    `node bench/reliability/load_measure.mjs${quick ? " --quick (seconds)" : " (about 2 min)"}`,
  );
  const result = spawnSync(
    process.execPath,
    ["bench/reliability/load_measure.mjs", ...(quick ? ["--quick"] : [])],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
      timeout: 20 * 60 * 1000,
    },
  );
  if (result.error) throw new Error(`the reliability bench could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`the reliability bench failed (${result.status})`);
  const results = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
  return {
    date: new Date().toISOString().slice(0, 10),
    quick,
    cpu: cpuModel(),
    cores: cpus().length,
    loadAverages: [loadBefore, loadAverage()],
    versions: {
      bun: output(bin("bun"), ["--version"]).trim(),
      deno: output(bin("deno"), ["--version"]).split("\n")[0].split(" ")[1],
      node: process.versions.node,
    },
    seed: results[0]?.seed ?? null,
    results,
  };
}

const ms = (x) =>
  x === null || x === undefined ? "n/a" : `${Math.round(x).toLocaleString("en-US")} ms`;
const count = (n) => n.toLocaleString("en-US");
const verdict = (checks) => checks.every((c) => c.ok) ? "met" : "**not met**";
const find = (doc, scenario, runtime) =>
  doc.results.find((r) => r.scenario === scenario && r.runtime === runtime);

/** One goal line: each runtime's figure and whether its checks that `pick` takes hold. */
function goalLine(doc, scenario, text, pick, figure) {
  const parts = runtimes.map((runtime) => {
    const result = find(doc, scenario, runtime);
    if (result === undefined) return `${runtimeLabels[runtime]} n/a`;
    const checks = goalsOf(result).filter(pick);
    return `${runtimeLabels[runtime]} ${figure(result)} (${verdict(checks)})`;
  });
  return `- ${text}: ${parts.join(", ")}.`;
}

function shutdownTable(doc) {
  const rows = [
    "| server | trials | requests sent | lost before the shutdown | unanswered, sent after it began | shutdown replies | close codes | time to exit, median / max | exit codes | goals |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |",
  ];
  for (const runtime of runtimes) {
    const r = find(doc, "shutdown", runtime);
    if (r === undefined) continue;
    const codes = Object.entries(r.closeCodes).map(([code, n]) => `${code} × ${n}`).join(", ");
    const exits = [...new Set(r.exitCodes)].join(", ");
    rows.push(
      `| WebWire on ${runtimeLabels[runtime]} | ${r.trials} | ${count(r.sent)} | ` +
        `**${r.lostBeforeShutdown}**${
          r.lostBeforeShutdownInClientStall > 0
            ? ` (+ ${r.lostBeforeShutdownInClientStall} sent in a client stall)`
            : ""
        } | ${count(r.unansweredAfterShutdown)} | ` +
        `${count(r.shutdownReplies)} | ${codes} | ` +
        `${ms(r.exitMs.median)} / ${ms(r.exitMs.max)} | ${exits} | ${verdict(goalsOf(r))} |`,
    );
  }
  return rows.join("\n");
}

function stormTable(doc) {
  const rows = [
    "| server | clients | down (kill → listening) | all restored, from listening | median restore | restored / lost | failed connects | upgrades seen | peak upgrades / 100 ms | upgrades per 100 ms, first second | goals |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const runtime of runtimes) {
    const r = find(doc, "storm", runtime);
    if (r === undefined) continue;
    rows.push(
      `| WebWire on ${runtimeLabels[runtime]} | ${count(r.clients)} | ${ms(r.downMs)} | ` +
        `${ms(r.allRestoredAfterStartMs)} | ${ms(r.medianRestoredAfterStartMs)} | ` +
        `${count(r.restored)} / ${r.lostSessions} | ${count(r.connectFailures)} | ` +
        `${count(r.upgradesSeen)} | ${r.peakUpgradesPer100Ms} | ` +
        `${r.upgradesPer100Ms.slice(0, 10).join(" ")} | ${verdict(goalsOf(r))} |`,
    );
  }
  return rows.join("\n");
}

function loginTable(doc) {
  const rows = [
    "| server | kill rounds | logins acknowledged | invalid session files | acknowledged without their file | temporary files left by the kills | after the restart | sample restored | goals |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const runtime of runtimes) {
    const r = find(doc, "logins", runtime);
    if (r === undefined) continue;
    const s = r.restart;
    rows.push(
      `| WebWire on ${runtimeLabels[runtime]} | ${r.rounds} | ${count(r.acked)} | ` +
        `**${r.invalidFiles}** | **${r.ackedWithoutFile + r.ackedWithWrongUser}** | ` +
        `${s.leftByKills} (+ ${s.planted} planted) | ${s.temporaryAfter} | ` +
        `${s.restored} / ${s.restoreSample} | ${verdict(goalsOf(r))} |`,
    );
  }
  return rows.join("\n");
}

/** The README section for a document of {@link measure}. */
export function reliabilityLoadSection(doc) {
  const v = doc.versions;
  const shutdown = find(doc, "shutdown", "bun") ?? {};
  const storm = find(doc, "storm", "bun") ?? {};
  const logins = find(doc, "logins", "bun") ?? {};
  return `## Reliability under load

${
    doc.quick
      ? "**A --quick smoke run.**\n\n"
      : ""
  }Measured on ${doc.date} by \`npm run bench -- --reliability-load\`
on ${doc.cpu} (${doc.cores} cores, shared with other jobs; load average ${
    doc.loadAverages.join(" → ")
  }) over 127.0.0.1, with Bun ${v.bun}, Deno ${v.deno} and Node ${v.node}, seed ${doc.seed}. Raw
results: \`bench/results/reliability-load.json\`. Each server is a process of its own
(\`bench/reliability/load_server.ts\`: the conformance service, \`echo\` and \`login\`, on the
runtime's adapter; on Node bundled with esbuild, \`ws\` on \`node:http\`); the clients run in Bun
processes.

Goals (issue #10):

${
    goalLine(
      doc,
      "shutdown",
      "No reply lost to a request sent before a graceful shutdown began",
      (c) => /lost|hung/.test(c.name),
      (r) => `${r.lostBeforeShutdown} lost, ${r.hung} hung`,
    )
  }
${
    goalLine(
      doc,
      "storm",
      "Every client's session restored after kill -9 and a restart",
      () => true,
      (r) => `${count(r.restored)} of ${count(r.clients)}`,
    )
  }
${
    goalLine(
      doc,
      "logins",
      "No invalid session file after kill -9 during logins, and every acknowledged login has its file",
      (c) => /invalid|whole file/.test(c.name),
      (r) => `${r.invalidFiles} invalid, ${r.ackedWithoutFile + r.ackedWithWrongUser} missing`,
    )
  }
${
    goalLine(
      doc,
      "logins",
      "A restart with stale temporary files succeeds and removes them",
      (c) => /temporary/.test(c.name),
      (r) => `${r.restart.temporaryAfter} left`,
    )
  }

**Graceful shutdown under load** (\`shutdown_under_load.mjs\`). ${
    shutdown.connections ?? 16
  } connections × ${shutdown.inflight ?? 64} \`echo\` requests (16 bytes) in
flight, each connection sending a new one per reply, for 100 to 400 ms (seeded), then SIGTERM:
the server prints its clock and calls \`shutdown()\`. A connection stops sending when it gets a
shutdown reply. **Lost** counts the requests sent before the server's moment that got no reply
at all (a shutdown reply counts as one: the request was answered, not dropped); time to exit is
from SIGTERM to the process's exit, measured by the runner; a fresh server per trial. The
server sends its close frame once a connection has been quiet for 50 ms (confirmed by one more turn
of its event loop): a client that could not know yet and sends after that gets no reply, which the
goal allows (**unanswered, sent after it began**). On this shared machine a client process that is
not scheduled for 50 ms looks quiet too, which is the likely reading of a whole connection's 64 requests
unanswered. A send time is taken when the client\'s \`send()\` returns, but its bytes may leave at
the end of that event-loop turn: a 5 ms timer in the client shows its stalls, and an unanswered
request sent less than 25 ms before a stall is counted apart ("sent in a client stall"), since it
may have left after the shutdown began.

${shutdownTable(doc)}

**Reconnect storm after kill -9** (\`reconnect_storm.mjs\`). ${
    count(storm.clients ?? 1000)
  } of our \`Client\`s (autoconnect, the default
backoff: full jitter, first cap 250 ms, doubling, at most 10 s, with \`Math.random\` seeded) in one
Bun process, each logged in (\`login\`, one session file each in a temporary directory), then
SIGKILL and the server started again on the same port and directory. **All restored** is from
the moment the new server listens until the last client has its session back (its \`connected\`
event with the same session key); the server counts WebSocket upgrades per 100 ms from that
moment (its \`beforeUpgrade\` hook); attempts refused while it was down are the failed connects.

${stormTable(doc)}

**kill -9 during concurrent logins** (\`login_crash.mjs\`). ${
    logins.workers ?? 50
  } workers log in over and over (connect, \`login\`, which creates a
session, then close), and the server gets SIGKILL 20 to 320 ms (seeded) after the first
acknowledged login; ${
    logins.rounds ?? 10
  } rounds on one directory, each with the server started again. After
every round every file is read: a session file must be a JSON object with RFC 3339 \`c\` and \`l\`;
every login acknowledged to a client must have its file with its user. Then the temporary files
the kills left, aged past the manager's one minute, plus two planted ones (one truncated, one
empty) must be gone after a restart and one login, and a sample of the acknowledged sessions
must restore.

${loginTable(doc)}

Run \`npm run bench -- --reliability-load\` to regenerate this section and the JSON (about 2
minutes), \`node bench/run.mjs --reliability-load --quick\` for a smoke run that only prints,
\`node bench/reliability/load_measure.mjs --only storm --runtimes bun\` for one scenario on one
runtime (one JSON line each). Its quick version, with the goals asserted, runs in \`npm test\`
(\`bench/reliability/run_load_suite.mjs\`).`;
}

/** The suite: `{ json, markdown }` for bench/run.mjs. */
export function reliabilityLoad() {
  const doc = measure(process.argv.slice(2).includes("--quick"));
  return { json: doc, markdown: reliabilityLoadSection(doc) };
}
