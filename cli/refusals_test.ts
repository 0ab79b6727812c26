// The CLI fails plainly where it used to mislead: `serve --redis` with a Redis that refuses it
// (a wrong password; a user without pub/sub rights, which cannot join the cluster) exits with 3
// and says why, and `bench` exits with 2 on a bad argument and passes SIGTERM on to its script
// instead of dying and leaving the script running. Real processes, a real redis-server.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { type RedisServer, startRedisServer } from "../testing/redis_server.ts";
import { runCli, spawnCli, watchCliProcess } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

let redis: RedisServer;

before(async () => {
  redis = await startRedisServer();
  const admin = new Redis(redis.url);
  try {
    // A user that may run commands and scripts but not publish or subscribe (as a managed
    // Redis may give an application), and a password for the default user.
    await admin.call("ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all", "-@pubsub");
    await admin.call("ACL", "SETUSER", "default", ">secret");
  } finally {
    admin.disconnect();
  }
});

after(async () => {
  await redis?.stop();
});

const at = (auth: string) => redis.url.replace("redis://", `redis://${auth}@`);

test("serve --redis with a wrong password exits with 3 and names the refusal", async () => {
  const run = await runCli("serve", "--port", "0", "--redis", at(":wrong"));
  assert.equal(run.code, 3, run.stderr);
  assert.doesNotMatch(run.stdout, /listening/);
  // Not only "timed out ... (connection reconnecting)": what Redis answered.
  assert.match(run.stderr, /WRONGPASS/);
  assert.doesNotMatch(run.stderr, /wrong/, "the password is not printed");
});

test("serve --redis without a password where one is needed names NOAUTH", async () => {
  const run = await runCli("serve", "--port", "0", "--redis", redis.url);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /NOAUTH/);
});

test("serve --redis that cannot join the cluster exits with 3 instead of serving alone", async () => {
  const serve = spawnCli(["serve", "--port", "0", "--redis", at("app:pw")]);
  let ended = false;
  void serve.exited.then(() => ended = true);
  // The wait ends with the process too: a poll left running would outlive this test.
  await until(() => ended || /listening on/.test(serve.stdout()), "serve ends or listens", 15_000);
  const outcome = ended ? await serve.exited : null;
  if (outcome === null) {
    // It announced a cluster node and served outside the cluster: the bug.
    process.kill(serve.child.pid!, "SIGKILL");
    await serve.exited;
    assert.fail(`serve listened although it could not join the cluster:\n${serve.stdout()}`);
  }
  assert.equal(outcome.code, 3, serve.stderr());
  assert.match(serve.stderr(), /cannot join the cluster on Redis at redis:\/\/app:\*\*\*@/);
  assert.match(serve.stderr(), /NOPERM/);
  // Not the server's "joining the cluster failed" log with its stack trace, nor ioredis's
  // "Unhandled error event" of a connection that failed while it closed.
  assert.doesNotMatch(serve.stderr(), /joining the cluster failed|ReplyError|Unhandled/);
  assert.doesNotMatch(serve.stdout(), /cluster node/);
});

test("bench with an unknown argument: exit 2 and one line, no stack trace", async () => {
  const run = await runCli("bench", "--no-such-suite");
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /unknown arguments: --no-such-suite/);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
});

test("bench passes SIGTERM on to its script and exits with the script's code", async () => {
  // bench.ts runs ../bench/run.mjs next to itself: a copy of it beside a stand-in script that
  // runs until it is told to stop (the real one would run the benchmarks).
  const dir = mkdtempSync(join(tmpdir(), "webwire-bench-test-"));
  const pidFile = join(dir, "script.pid");
  try {
    mkdirSync(join(dir, "cli"));
    mkdirSync(join(dir, "bench"));
    for (const name of ["bench.ts", "child_exit.ts", "exit_codes.ts", "command.ts"]) {
      copyFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), join(dir, "cli", name));
    }
    writeFileSync(
      join(dir, "bench", "run.mjs"),
      `import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
process.on("SIGTERM", () => { console.log("script stopped"); process.exit(7); });
setInterval(() => {}, 1000);
`,
    );
    const entry = join(dir, "cli", "entry.ts");
    writeFileSync(
      entry,
      `import process from "node:process";
import { benchCommand } from "./bench.ts";
process.exit(await benchCommand.run(process.argv.slice(2)));
`,
    );
    const run = "Bun" in globalThis ? ["run"] : ["run", "-A"];
    const cli = watchCliProcess(
      spawn(process.execPath, [...run, entry], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    let scriptPid = 0;
    await until(
      () => {
        try {
          scriptPid = Number(readFileSync(pidFile, "utf8"));
          return scriptPid > 0;
        } catch {
          return false;
        }
      },
      "the script started",
      15_000,
    );
    process.kill(cli.child.pid!, "SIGTERM");
    const { code, signal } = await cli.exited;
    const alive = isAlive(scriptPid);
    if (alive) process.kill(scriptPid, "SIGKILL");
    assert.equal(alive, false, "the script was left running");
    assert.deepEqual({ code, signal }, { code: 7, signal: null }, cli.stderr());
    assert.match(cli.stdout(), /script stopped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
