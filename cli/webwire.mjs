#!/usr/bin/env node
// The `webwire` command for npm (package.json "bin"): Node 20 cannot run the TypeScript CLI,
// so this launcher runs cli/main.ts with Deno or Bun: the ones npm installed next to it
// (node_modules/.bin), else the ones on PATH; WEBWIRE_RUNTIME=deno|bun picks one.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, "main.ts");
const runArgs = { deno: ["run", "-A", main], bun: ["run", main] };

function findRuntime() {
  const wanted = process.env.WEBWIRE_RUNTIME;
  // A typo (WEBWIRE_RUNTIME=dneo) would otherwise run whichever comes first, unnoticed.
  if (wanted !== undefined && wanted !== "" && wanted !== "deno" && wanted !== "bun") {
    console.error(`webwire: WEBWIRE_RUNTIME must be deno or bun, got "${wanted}"`);
    process.exit(2);
  }
  const names = wanted ? [wanted] : ["deno", "bun"];
  for (const name of names) {
    const local = join(here, "..", "node_modules", ".bin", name);
    if (existsSync(local)) return { name, path: local };
  }
  for (const name of names) {
    const probe = spawnSync(name, ["--version"], { stdio: "ignore" });
    if (probe.status === 0) return { name, path: name };
  }
  return undefined;
}

const runtime = findRuntime();
if (runtime === undefined) {
  console.error("webwire: needs Deno or Bun (npm install deno, or put deno or bun on PATH)");
  process.exit(2);
}
const child = spawn(runtime.path, [...runArgs[runtime.name], ...process.argv.slice(2)], {
  stdio: "inherit",
});
// Not started (not executable, gone since it was found): one line, not Node's stack trace.
child.on("error", (error) => {
  console.error(`webwire: cannot start ${runtime.path}: ${error.message}`);
  process.exit(1);
});
// SIGHUP too: without a listener it would end this launcher alone, the command running on.
const forwarded = process.platform === "win32"
  ? ["SIGINT", "SIGTERM"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];
for (const signal of forwarded) process.on(signal, () => child.kill(signal));
// Killed by a signal: 128 + its number, as shells say (130 for SIGINT).
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal in constants.signals ? 128 + constants.signals[signal] : 1));
});
