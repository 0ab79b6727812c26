import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { clientCheckList, formatClientSuiteReport, runClientSuite } from "./client_suite.ts";
import { parseClientSuiteArgs } from "./run_client_suite.ts";

const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
// Our client-under-test program in the runtime that runs this test.
const ourClient = "Bun" in globalThis
  ? [process.execPath, "run", program]
  : [process.execPath, "run", "-A", program];

test("our client passes every check", { timeout: 20_000 }, async () => {
  const report = await runClientSuite({ command: ourClient });
  assert.deepEqual(report.results.filter((r) => !r.passed), []);
  assert.equal(report.passed, clientCheckList.length);
  assert.ok(
    formatClientSuiteReport(report).endsWith(`\n${clientCheckList.length} passed, 0 failed`),
  );
});

test(
  "a client that never sends heartbeats fails the heartbeat check",
  { timeout: 20_000 },
  async () => {
    const report = await runClientSuite({
      command: [...ourClient, "--no-heartbeat"],
      only: ["heartbeat"],
    });
    assert.equal(report.failed, 1);
    assert.match(report.results[0].reason, /no heartbeat: silent for more than 950 ms/);
  },
);

test(
  "a client that sends before accept-conf fails the first check",
  { timeout: 20_000 },
  async () => {
    const report = await runClientSuite({
      command: [...ourClient, "--eager"],
      only: ["accept-conf-first", "request-error"],
    });
    assert.equal(report.results[0].passed, false);
    assert.match(
      report.results[0].reason,
      /sent heartbeat \d+ ms after the upgrade, before accept-conf/,
    );
    // The early heartbeat is the only fault: the other check still passes.
    assert.equal(report.results[1].passed, true, report.results[1].reason);
  },
);

test(
  "a program that is no client fails with a reason, not a hang",
  { timeout: 20_000 },
  async () => {
    const report = await runClientSuite({
      command: [process.execPath, "--version"],
      only: ["accept-conf-first", "incompatible-version"],
    });
    assert.equal(report.failed, 2);
    for (const result of report.results) assert.match(result.reason, /did not connect: it exited/);
  },
);

test("arguments: --only, -- and the command", () => {
  assert.deepEqual(parseClientSuiteArgs(["--only=a,b", "x", "--y"]), {
    command: ["x", "--y"],
    only: ["a", "b"],
  });
  assert.deepEqual(parseClientSuiteArgs(["--", "--weird-client"]).command, ["--weird-client"]);
  assert.throws(() => parseClientSuiteArgs(["--only", "a"]), RangeError);
  assert.throws(() => parseClientSuiteArgs(["--only"]), /--only needs check names/);
  assert.throws(() => parseClientSuiteArgs(["--only=,", "x"]), /--only needs check names/);
});

test("an unknown check name is refused", async () => {
  await assert.rejects(runClientSuite({ command: ["x"], only: ["nope"] }), RangeError);
});
