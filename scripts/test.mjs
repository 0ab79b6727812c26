// Runs every check and test of the project with the locally installed Deno and Bun, and
// prints the total over all runners as its last line: `N passed, N failed`.
// Usage: node scripts/test.mjs [--quick]   (--quick skips fmt/lint/doc/publish checks)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const quick = process.argv.includes("--quick");
const publicModules = [
  "mod.ts",
  "protocol/mod.ts",
  "session/mod.ts",
  "client.ts",
  "server.ts",
  "cli/main.ts",
  "redis/mod.ts",
  "typed/mod.ts",
]
  .filter((file) => existsSync(join(root, file)));
const adapterModules = [
  "adapters/deno.ts",
  "adapters/deno_tcp.ts",
  "adapters/deno_websocket.ts",
  "adapters/bun.ts",
  "adapters/hono.ts",
  "adapters/node.ts",
]
  .filter((file) => existsSync(join(root, file)));

let passed = 0;
let failed = 0;
const failures = [];
// Names of the failed tests, printed again next to the total: CI keeps only the output's tail.
const failedTests = [];

// Deno 2 turns colours on whenever FORCE_COLOR is set, even to 0: drop it, set NO_COLOR.
function withoutColor(env) {
  const { FORCE_COLOR: _ignored, ...rest } = env;
  return { ...rest, NO_COLOR: "1" };
}

// deno-lint-ignore no-control-regex -- colour codes start with ESC
const ansi = /\u001b\[[0-9;]*m/g;

function run(label, command, args, options = {}) {
  console.log(`\n=== ${label}: ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    env: withoutColor(process.env),
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeout ?? 20 * 60 * 1000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.replace(ansi, "");
  process.stdout.write(output);
  if (result.error) console.log(`(${label} could not run: ${result.error.message})`);
  return { ok: result.status === 0, output };
}

function check(label, command, args) {
  const { ok } = run(label, command, args);
  if (ok) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function counted(label, command, args, parse, options) {
  const { ok, output } = run(label, command, args, options);
  const counts = parse(output);
  if (counts === null) {
    failed++;
    failures.push(`${label} (no summary line)`);
    return;
  }
  passed += counts.passed;
  failed += counts.failed;
  if (counts.failed > 0) {
    failures.push(`${label} (${counts.failed} failed)`);
    for (const name of failedTestNames(output)) failedTests.push(`${label}: ${name}`);
  }
  if (!ok && counts.failed === 0) {
    failed++;
    failures.push(`${label} (exit code)`);
  }
  // A doc example's `console.assert` only prints when it fails; each such line is a failure.
  const assertions = [...output.matchAll(/^Assertion failed/gm)].length;
  if (assertions > 0) {
    failed += assertions;
    failures.push(`${label} (${assertions} console.assert failed)`);
  }
}

// Bun prints `(fail) name [12.00ms]`; Deno lists `name => ./file.ts:1:2` under FAILURES.
function failedTestNames(output) {
  const bunNames = [...output.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)].map((m) => m[1]);
  const denoFailures = output.split(/^\s*FAILURES\s*$/m)[1] ?? "";
  const denoNames = [...denoFailures.matchAll(/^(.+ => \S+:\d+:\d+)$/gm)].map((m) => m[1]);
  return [...bunNames, ...denoNames];
}

function lastMatch(output, pattern) {
  const matches = [...output.matchAll(pattern)];
  return matches.length === 0 ? null : matches[matches.length - 1];
}

const denoSummary = (output) => {
  const m = lastMatch(
    output,
    /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/g,
  );
  return m === null ? null : { passed: Number(m[1]), failed: Number(m[3]) };
};
const bunSummary = (output) => {
  const p = lastMatch(output, /^\s*(\d+) pass$/gm);
  const f = lastMatch(output, /^\s*(\d+) fail$/gm);
  return p === null || f === null ? null : { passed: Number(p[1]), failed: Number(f[1]) };
};
const plainSummary = (output) => {
  const m = lastMatch(output, /^(?:\w+: )?(\d+) passed, (\d+) failed/gm);
  return m === null ? null : { passed: Number(m[1]), failed: Number(m[2]) };
};

const deno = bin("deno");
const bun = bin("bun");

if (!quick) {
  check("deno fmt", deno, ["fmt", "--check"]);
  check("deno lint", deno, ["lint"]);
  check("deno check", deno, ["check", "."]);
  check("deno doc --lint", deno, ["doc", "--lint", ...publicModules, ...adapterModules]);
  check("documentation blocks", process.execPath, ["scripts/check_doc_snippets.mjs"]);
}
counted("deno test", deno, ["test", "-A", "--doc", "--parallel"], denoSummary);
counted("bun test", bun, ["test", "--timeout", "30000"], bunSummary);
if (existsSync(join(root, "conformance/run_vectors.ts"))) {
  counted(
    "conformance vectors (deno)",
    deno,
    ["run", "-A", "conformance/run_vectors.ts"],
    plainSummary,
  );
  counted("conformance vectors (bun)", bun, ["run", "conformance/run_vectors.ts"], plainSummary);
}
const extraSuites = [
  "scripts/extra_suites.mjs",
  "browser/run_browser_suite.mjs",
  // Rewrites examples/chat/screenshot.png: the same bytes while the page looks the same.
  "examples/chat/run_chat_suite.mjs",
  // Starts Bun, Deno and Node servers itself: run once here, not by each runtime's test runner.
  "bench/reliability/run_faults_suite.mjs",
  // Server processes on Bun, Deno and Node: shutdown under load, reconnect storm, kill -9.
  "bench/reliability/run_load_suite.mjs",
];
for (const extra of extraSuites) {
  if (existsSync(join(root, extra))) counted(extra, process.execPath, [extra], plainSummary);
}
if (!quick) check("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"]);

console.log("");
for (const name of failedTests) console.log(`failed test: ${name}`);
if (failures.length > 0) console.log(`failed: ${failures.join("; ")}`);
console.log(`${passed} passed, ${failed} failed`);
// Not process.exit(): it would drop output still queued for a non-blocking pipe (`npm test | tail`).
process.exitCode = failed === 0 ? 0 : 1;
