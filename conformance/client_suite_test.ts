import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { processRuns } from "../testing/process_alive.ts";
import { until } from "../testing/until.ts";
import { clientCheckList, formatClientSuiteReport, runClientSuite } from "./client_suite.ts";
import { ClientStartError } from "./client_suite_process.ts";
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

test("a command that cannot be started stops the run at once, with no result", async () => {
  const results: string[] = [];
  await assert.rejects(
    runClientSuite({
      command: ["/nonexistent/client", "-v"],
      onResult: (result) => results.push(result.name),
    }),
    (error) =>
      error instanceof ClientStartError &&
      error.message === 'cannot start the client "/nonexistent/client -v": not found (ENOENT)',
  );
  assert.deepEqual(results, [], "no check reported");
});

test("an unknown check name is refused", async () => {
  await assert.rejects(runClientSuite({ command: ["x"], only: ["nope"] }), RangeError);
});

/** Our client started through `sh`, next to a `sleep` that holds its output: a launcher's shape. */
async function launchedClient(): Promise<
  { command: string[]; sleeper: () => number; cleanup: () => Promise<void> }
> {
  const dir = await mkdtemp(join(tmpdir(), "client-suite-"));
  const pidFile = join(dir, "sleep.pid");
  return {
    command: ["sh", "-c", `sleep 60 & echo $! > "${pidFile}"; exec "$@"`, "sh", ...ourClient],
    sleeper: () => Number(readFileSync(pidFile, "utf8").trim()),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

test(
  "a check stops what the client started too (its process group), not only the client",
  { skip: process.platform === "win32", timeout: 20_000 },
  async () => {
    const launched = await launchedClient();
    try {
      const report = await runClientSuite({ command: launched.command, only: ["request-error"] });
      assert.equal(report.passed, 1, report.results[0].reason);
      await until(
        () => !processRuns(launched.sleeper()),
        "the sleep the client started was stopped",
      );
    } finally {
      await launched.cleanup();
    }
  },
);

test(
  "an aborted run stops its clients and rejects with the reason",
  { skip: process.platform === "win32", timeout: 20_000 },
  async () => {
    const launched = await launchedClient();
    const abort = new AbortController();
    const started = performance.now();
    const run = runClientSuite({
      command: launched.command,
      only: ["heartbeat", "request-error"],
      signal: abort.signal,
      onResult: () => assert.fail("no check ends once the run is aborted"),
    });
    await until(() => {
      try {
        return launched.sleeper() > 0;
      } catch {
        return false;
      }
    }, "the first client started");
    abort.abort(new Error("stop now"));
    await assert.rejects(run, /stop now/);
    assert.ok(performance.now() - started < 5000, "aborted at once, not after the check");
    await until(() => !processRuns(launched.sleeper()), "the client's sleep was stopped");
    await launched.cleanup();
  },
);

/** Our client broken on purpose by a flag: the one check it fails, and what that check says. */
const brokenClients: { flag: string; check: string; said: RegExp[] }[] = [
  // Never sends heartbeats.
  {
    flag: "--no-heartbeat",
    check: "heartbeat",
    said: [/no heartbeat: silent for more than 950 ms/],
  },
  // Sends request payloads as UTF-16: failed for the encoding, not for the text.
  {
    flag: "--utf16",
    check: "request-error",
    said: [/request "fail" carried its payload as utf16, not utf8/],
  },
  // Takes no padding byte after an odd UTF-16 signal name: the even name "news" passes; at
  // "alert" (5 bytes) the frame is malformed without its padding, and the client drops.
  {
    flag: "--no-padding",
    check: "server-signal",
    said: [/did not print "signal alert wörld ✓"/, /"signal news héllo", "disconnected"/],
  },
  // Restores the closed session after its first request on the new connection.
  { flag: "--restore-closed", check: "session-closed", said: [/\(restoring the closed session\)/] },
  // Accepts a server of another sub-protocol, and goes on to send its start request.
  {
    flag: "--any-sub-protocol",
    check: "sub-protocol-mismatch",
    said: [/the client did not exit within 5 s of an accept-conf of sub-protocol "other"/],
  },
  // Takes an internal-error reply for an (empty) reply.
  {
    flag: "--special-as-reply",
    check: "special-replies",
    said: [/after a reply of type 2 to request "internal" the client printed "reply internal /],
  },
];

for (const { flag, check, said } of brokenClients) {
  test(`our client with ${flag} fails ${check}`, { timeout: 20_000 }, async () => {
    const report = await runClientSuite({ command: [...ourClient, flag], only: [check] });
    assert.equal(report.failed, 1);
    for (const pattern of said) assert.match(report.results[0].reason, pattern);
  });
}

test(
  "a client whose connection drops while the heartbeat check keeps it busy fails, not hangs",
  { timeout: 30_000 },
  async () => {
    // In a child process: a check that spins without yielding would block this test's timers.
    const script = fileURLToPath(new URL("./run_client_suite.ts", import.meta.url));
    const runtime = "Bun" in globalThis ? ["run", script] : ["run", "-A", script];
    const args = [...runtime, "--only", "heartbeat", ...ourClient, "--exit-on-command"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => output += chunk);
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    assert.equal(code, 1, `exit code ${code} (null: killed after 20 s), output: ${output}`);
    // Seen while busy as a rule; on a loaded machine the close may come after the round ends.
    assert.match(
      output,
      /^FAIL heartbeat: (the connection closed while busy \(before request "tick0"\)|.*tick0)/m,
    );
  },
);
