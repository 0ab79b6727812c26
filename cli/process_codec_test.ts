import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runVectors } from "../conformance/run_vectors.ts";
import type { Vector } from "../conformance/manifest.ts";
import { until } from "../testing/until.ts";
import { conformanceCommand } from "./conformance.ts";
import { processCodec } from "./process_codec.ts";

const heartbeats = (vector: Vector) => vector.id.startsWith("heartbeat/");
const posix = process.platform !== "win32";

/** Writes an executable shell script into a new temporary folder; returns both paths. */
async function script(body: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "webwire-decoder-"));
  const path = join(dir, "decoder.sh");
  await writeFile(path, `#!/bin/sh\n${body.replaceAll("$DIR", dir)}\n`);
  await chmod(path, 0o755);
  return { dir, path };
}

/** Whether `pid` runs: a zombie waiting for init to reap it counts as ended. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

/** The pids the script wrote into `dir` (files named pid.*). */
async function pidsIn(dir: string): Promise<number[]> {
  const names = (await readdir(dir)).filter((name) => name.startsWith("pid."));
  return Promise.all(names.map(async (name) => Number(await readFile(join(dir, name), "utf8"))));
}

test("a decoder that ignores SIGTERM is killed at the timeout, with what it started", {
  skip: !posix,
}, async () => {
  // Ignores TERM, starts a child of its own and waits for it: only a SIGKILL to the group ends
  // both before the sleep does.
  const { dir, path } = await script(
    `trap '' TERM\nsleep 20 &\necho $! > "$DIR/pid.$$"\necho $$ > "$DIR/pid.sh.$$"\nwait`,
  );
  const started = Date.now();
  try {
    const codec = await processCodec({ command: [path], filter: heartbeats, timeout: 500 });
    const report = await runVectors({ codec, filter: heartbeats });
    await codec.dispose();
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.equal(report.passed, 0);
    assert.equal(report.failed, 3);
    for (const result of report.results) {
      assert.match(result.problems[0], /decoder failed on .*: no answer within 500 ms, killed/);
    }
    const pids = await pidsIn(dir);
    assert.equal(pids.length, 6, "3 runs, a shell and a sleep each");
    await until(() => !pids.some(alive), "no process of a run is left", 3_000);
  } finally {
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("a decoder that answers but leaves a child holding its output passes at once", {
  skip: !posix,
}, async () => {
  const { dir, path } = await script(
    `sleep 20 &\necho $! > "$DIR/pid.$$"\necho '{"type":33,"kind":"heartbeat"}'`,
  );
  const valid = (vector: Vector) => vector.id === "heartbeat/valid";
  try {
    const started = Date.now();
    const codec = await processCodec({ command: [path], filter: valid, timeout: 10_000 });
    const report = await runVectors({ codec, filter: valid });
    await codec.dispose();
    assert.deepEqual(report.results.map((r) => r.problems), [[]]);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    const pids = await pidsIn(dir);
    assert.equal(pids.length, 1);
    await until(() => !pids.some(alive), "the child it left is killed", 3_000);
  } finally {
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("a decoder that answers but leaves a process of another session holding its output passes", {
  skip: !posix,
}, async () => {
  // setsid puts the sleep out of reach of the group kill: only the output's grace ends the run.
  const { dir, path } = await script(
    `setsid sh -c 'echo $$ > "$DIR/pid.$$"; exec sleep 20' &\n` +
      `until ls "$DIR"/pid.* >/dev/null 2>&1; do sleep 0.05; done\n` +
      `echo '{"type":33,"kind":"heartbeat"}'`,
  );
  const valid = (vector: Vector) => vector.id === "heartbeat/valid";
  try {
    const started = Date.now();
    const codec = await processCodec({ command: [path], filter: valid, timeout: 15_000 });
    const report = await runVectors({ codec, filter: valid });
    await codec.dispose();
    assert.deepEqual(report.results.map((r) => r.problems), [[]]);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  } finally {
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("a codec that fails after it started leaves no exit hook and no files behind", async () => {
  const vectors = await mkdtemp(join(tmpdir(), "webwire-manifest-"));
  const tempDir = await mkdtemp(join(tmpdir(), "webwire-tempdir-"));
  const hooks = process.listenerCount("exit");
  try {
    const vector = { id: "heartbeat/missing", file: "missing.bin", expect: { type: 33 } };
    const manifest = { protocol: "webwire-v2", formatVersion: 1, vectors: [vector] };
    await writeFile(join(vectors, "manifest.json"), JSON.stringify(manifest));
    // The manifest is read; its vector's file is missing.
    const failing = processCodec({ command: ["true"], vectorsDir: vectors, tempDir });
    await assert.rejects(failing, /ENOENT/);
    assert.equal(process.listenerCount("exit"), hooks);
    assert.deepEqual(await readdir(tempDir), []);
  } finally {
    await rm(vectors, { recursive: true, force: true });
    await rm(tempDir, { recursive: true, force: true });
  }
});

test("a decoder that exits with an error fails its vector with the code and its stderr", {
  skip: !posix,
}, async () => {
  const { dir, path } = await script(`echo "cannot parse $1" >&2\nexit 3`);
  try {
    const valid = (vector: Vector) => vector.id === "heartbeat/valid";
    const codec = await processCodec({ command: [path], filter: valid });
    const report = await runVectors({ codec, filter: valid });
    await codec.dispose();
    assert.match(report.results[0].problems[0], /: exit code 3 cannot parse .*valid\.bin$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a decoder that prints no JSON fails its vector showing what it printed", {
  skip: !posix,
}, async () => {
  const { dir, path } = await script(`echo '{"kind": "heart\\qbeat"}'`);
  try {
    const valid = (vector: Vector) => vector.id === "heartbeat/valid";
    const codec = await processCodec({ command: [path], filter: valid });
    const report = await runVectors({ codec, filter: valid });
    await codec.dispose();
    const [problem] = report.results[0].problems;
    assert.match(problem, /decoder failed instead of reporting: .*the decoder printed no JSON/);
    assert.ok(problem.includes(String.raw`{\"kind\": \"heart\\qbeat\"}`), problem);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("aborting the signal kills the decoder runs still going", { skip: !posix }, async () => {
  const { dir, path } = await script(`sleep 20 &\necho $! > "$DIR/pid.$$"\nwait`);
  try {
    const abort = new AbortController();
    const valid = (vector: Vector) => vector.id === "heartbeat/valid";
    const ready = processCodec({ command: [path], filter: valid, signal: abort.signal });
    await until(async () => (await pidsIn(dir)).length === 1, "the decoder started");
    abort.abort();
    const codec = await ready;
    const pids = await pidsIn(dir);
    await until(() => !pids.some(alive), "the decoder's child is killed", 3_000);
    await assert.rejects(
      Promise.resolve(codec.decode(new Uint8Array([33]))),
      /killed by SIGKILL|disposed/,
    );
  } finally {
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("webwire conformance vectors stops on SIGTERM and kills its decoders", {
  skip: !posix,
}, async () => {
  const { dir, path } = await script(`trap '' TERM\nsleep 20 &\necho $! > "$DIR/pid.$$"\nwait`);
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  const runtime = "Bun" in globalThis ? ["run"] : ["run", "-A"];
  const args = [...runtime, main, "conformance", "vectors", "--only", "heartbeat"];
  const cli = spawn(process.execPath, [...args, "--decoder", path], { stdio: "pipe" });
  try {
    let stderr = "";
    cli.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
    const exited = new Promise<number | null>((resolve) => cli.once("exit", resolve));
    await until(async () => (await pidsIn(dir)).length > 0, "a decoder started");
    process.kill(cli.pid!, "SIGTERM");
    assert.equal(await exited, 1);
    assert.match(stderr, /interrupted/);
    const pids = await pidsIn(dir);
    await until(() => !pids.some(alive), "no decoder is left", 3_000);
  } finally {
    if (cli.exitCode === null) cli.kill("SIGKILL");
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("conformance vectors keeps its Ctrl-C handler until it has cleaned up", {
  skip: !posix,
}, async () => {
  // A terminal's Ctrl-C comes twice through npm's launcher (to the process group, and
  // forwarded): one that came after the handler was taken back, while the CLI still removed
  // its files, would kill it (exit 130, not 1). The handler must go only once nothing is left
  // to wait for: when the run's temporary folder is removed. The decoder answers
  // heartbeat/valid, which the CLI waits for before it runs the vectors, and hangs on the
  // others: the SIGINT comes while the vectors run. A generated vector's bytes are written
  // into the run's temporary folder, whose path the decoder tells (the environment stays as
  // it is: test files running alongside start processes that inherit it).
  const { dir, path } = await script(
    `case "$1" in\n*/valid.bin) echo $$ > "$DIR/valid"; echo '{"type":33,"kind":"heartbeat"}';;\n` +
      `*) echo "$1" > "$DIR/arg.$$"; sleep 20 & echo $! > "$DIR/pid.$$"; wait;;\nesac`,
  );
  let runTemp = "";
  const foldersLeft: boolean[] = [];
  const off = process.off;
  process.off = ((event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (event === "SIGINT") foldersLeft.push(existsSync(runTemp));
    return off.call(process, event, listener);
  }) as typeof process.off;
  try {
    const only = "heartbeat/valid,generated/reply_binary_1mib";
    const run = conformanceCommand.run(["vectors", "--only", only, "--decoder", path]);
    const answered = async () => {
      const valid = await readFile(join(dir, "valid"), "utf8").catch(() => undefined);
      return valid !== undefined && !alive(Number(valid));
    };
    await until(answered, "heartbeat/valid is answered");
    await new Promise((resolve) => setTimeout(resolve, 100)); // and its answer read
    const inTemp = async () => {
      for (const name of (await readdir(dir)).filter((name) => name.startsWith("arg."))) {
        const arg = (await readFile(join(dir, name), "utf8")).trim();
        if (basename(dirname(arg)).startsWith("webwire-vectors-")) return dirname(arg);
      }
      return undefined;
    };
    await until(async () => (runTemp = await inTemp() ?? "") !== "", "the generated vector runs");
    // Files that make its removal take a while.
    for (let i = 0; i < 500; i++) await writeFile(join(runTemp, `filler_${i}`), "");
    process.emit("SIGINT");
    await assert.rejects(run, /interrupted/);
    assert.deepEqual(foldersLeft, [false]);
  } finally {
    process.off = off;
    for (const pid of await pidsIn(dir).catch(() => [])) if (alive(pid)) process.kill(pid, 9);
    await rm(dir, { recursive: true, force: true });
  }
});

test("a second dispose() resolves only once the temporary folder is gone", async () => {
  // On Bun a second rm of a folder can resolve while the first still deletes its files: the
  // CLI took its Ctrl-C handler back too early when the abort and the run both disposed.
  const tempDir = await mkdtemp(join(tmpdir(), "webwire-tempdir-"));
  try {
    const early: number[] = [];
    for (let round = 0; round < 30; round++) {
      const codec = await processCodec({ command: ["true"], filter: () => false, tempDir });
      const runTemp = join(tempDir, (await readdir(tempDir))[0]);
      for (let i = 0; i < 300; i++) writeFileSync(join(runTemp, `filler_${i}`), "");
      const first = codec.dispose();
      if (round % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 1));
      await codec.dispose();
      if (existsSync(runTemp)) early.push(round);
      await first;
    }
    assert.deepEqual(early, []);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
});
