// npm's `webwire` launcher (cli/webwire.mjs) when it cannot run the command: a WEBWIRE_RUNTIME
// that names no runtime, and a runtime that cannot be started. Each ends with one line on
// stderr and its exit code, never Node's stack trace or a runtime chosen silently.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const launcher = fileURLToPath(new URL("./webwire.mjs", import.meta.url));

/** Runs `node <launcher> --help` with `env` added; its exit code and output. */
function runLauncher(file: string, env: Record<string, string>) {
  const run = spawnSync("node", [file, "--help"], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("a WEBWIRE_RUNTIME that is neither deno nor bun exits 2 with one line", () => {
  const run = runLauncher(launcher, { WEBWIRE_RUNTIME: "dneo" });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.equal(run.stderr, `webwire: WEBWIRE_RUNTIME must be deno or bun, got "dneo"\n`);
});

test("WEBWIRE_RUNTIME=deno, bun or empty is taken", () => {
  for (const runtime of ["deno", "bun", ""]) {
    const run = runLauncher(launcher, { WEBWIRE_RUNTIME: runtime });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: webwire <command>/);
  }
});

test("a runtime that cannot be started exits 1 with one line naming it", {
  skip: process.platform === "win32", // file modes
}, async () => {
  // The launcher beside a node_modules/.bin/deno that is not executable: found, not startable.
  const folder = await mkdtemp(join(tmpdir(), "webwire-launcher-"));
  try {
    await mkdir(join(folder, "cli"));
    await mkdir(join(folder, "node_modules", ".bin"), { recursive: true });
    const copy = join(folder, "cli", "webwire.mjs");
    await copyFile(launcher, copy);
    const runtime = join(folder, "node_modules", ".bin", "deno");
    await writeFile(runtime, "not a program\n");
    await chmod(runtime, 0o644);
    const run = runLauncher(copy, { WEBWIRE_RUNTIME: "deno" });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^webwire: cannot start .*node_modules\/\.bin\/deno: .*EACCES/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
