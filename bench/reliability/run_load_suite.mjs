// The small version of the reliability load benchmark as a test suite (run by
// scripts/test.mjs): a quick run of bench/reliability/load_measure.mjs (2 shutdown trials, a
// storm of 100 clients, 2 kill rounds, on Bun, Deno and Node) whose goals must all hold.
// Prints PASS/FAIL per check and, as its last line, `N passed, N failed`; exits non-zero on a
// failure, or when the run takes longer than its deadline (something hangs).
// Usage: node bench/reliability/run_load_suite.mjs
import { goalsOf } from "./load_goals.mjs";
import { measureLoad } from "./load_measure.mjs";

const deadlineMs = 180_000;
let passed = 0;
let failed = 0;

function report({ name, ok, detail }) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${ok ? "" : ` (${detail})`}`);
}

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

setTimeout(() => {
  report({
    name: "the quick reliability run finishes",
    ok: false,
    detail: `over ${deadlineMs} ms`,
  });
  finish();
}, deadlineMs).unref();

try {
  await measureLoad({ quick: true, report: (result) => goalsOf(result).forEach(report) });
} catch (error) {
  report({ name: "the quick reliability run completes", ok: false, detail: error.stack });
}
finish();
