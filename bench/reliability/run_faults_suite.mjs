// The small version of the reliability-faults benchmark as a test (run by scripts/test.mjs once,
// not per runtime: it starts Bun, Deno and Node servers itself): `faults.mjs --quick` (200 idle
// connections, 20 000 mutated frames per runtime, a slow reader at maxSendBuffer 1 MiB and
// closeTimeout 1 s), then checks per runtime: every idle connection opened, no crash, no hang,
// no neighbour error, the slow reader closed, its memory bounded and its socket gone in time.
// Prints each check and, last, `N passed, N failed`. Linux only (/proc).
//
// Usage: node bench/reliability/run_faults_suite.mjs
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { goneInTime, memoryBoundKiB } from "./faults_report.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let passed = 0;
let failed = 0;

function check(what, body) {
  try {
    body();
    passed++;
    console.log(`ok: ${what}`);
  } catch (error) {
    failed++;
    console.log(`FAILED: ${what}: ${error.message}`);
  }
}

function finish() {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

const result = spawnSync(process.execPath, ["bench/reliability/faults.mjs", "--quick"], {
  cwd: root,
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
  timeout: 5 * 60 * 1000,
});
process.stdout.write(result.stderr ?? "");
let json;
check("faults.mjs --quick runs and prints its JSON", () => {
  assert.equal(result.status, 0, `exit code ${result.status}`);
  json = JSON.parse(result.stdout.trim().split("\n").pop());
});
if (json === undefined) finish();

for (const r of json.idle.runtimes) {
  check(`${r.runtime}: ${json.connections} idle connections opened without errors`, () => {
    assert.equal(r.errors, 0, `${r.errors} errors`);
    assert.equal(r.opened, json.connections);
  });
}
for (const r of json.fuzz) {
  const name = `${r.runtime}: fuzzing with ${r.frames} frames`;
  check(`${name}: every frame sent, over many connections`, () => {
    assert.equal(r.frames, json.frames);
    assert.ok(r.connections > 100, `${r.connections} connections`);
  });
  check(`${name}: no crash`, () => assert.equal(r.crashes, 0, `the server exited with ${r.exit}`));
  check(`${name}: no hang`, () => {
    assert.ok(r.probes >= 1, "no probe ran");
    assert.equal(r.hangs, 0, `${r.hangs} of ${r.probes} probes unanswered`);
  });
  check(`${name}: no neighbour error`, () => {
    assert.ok(r.neighbourRequests > 0, "the neighbours made no request");
    assert.equal(r.neighbourErrors, 0, r.neighbourErrorSamples.join("; "));
  });
}
for (const r of json.slowReader) {
  const name = `${r.runtime}: slow reader`;
  check(`${name}: closed for not reading, without a crash`, () => {
    assert.equal(r.crashes, 0);
    assert.notEqual(r.decisionMs, null, "the server never closed it");
  });
  check(`${name}: memory bounded`, () => {
    assert.ok(
      r.rssGrowthKiB <= memoryBoundKiB(r),
      `RSS grew by ${r.rssGrowthKiB} KiB, bound ${memoryBoundKiB(r)} KiB`,
    );
  });
  check(`${name}: the neighbour kept working`, () => {
    assert.ok(r.neighbourRequests > 0, "the neighbour made no request");
    assert.equal(r.neighbourErrors, 0, r.neighbourErrorSamples.join("; "));
  });
  if (r.runtime === "deno") {
    // A known limit of Deno.serve's WebSocket (adapters/deno_socket.ts): a write the peer never
    // reads keeps the socket open. The benchmark reports it as not met; not checked here
    // (serveDenoTcp, runtime "deno-tcp", is checked).
    console.log(
      `note: ${name}: socket gone after ${r.goneAfterDecisionMs ?? "never"} ms (not checked)`,
    );
  } else {
    check(`${name}: socket gone within closeTimeout`, () => {
      assert.ok(
        goneInTime(r),
        `gone after ${r.goneAfterDecisionMs} ms (${r.serverEnd}; event loop ${r.loopLateMs} ms late)`,
      );
    });
  }
}
finish();
