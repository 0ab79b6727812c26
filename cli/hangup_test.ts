// SIGHUP (a closed terminal, `kill -HUP`, a supervisor's hang-up) stops `serve` and `listen` as
// SIGTERM does: requests in flight answered, clients closed with 1001, exit 0. It used to end
// them at once with 129, dropping every client without a close frame. A CLI process that runs
// the command in a child (serve --runtime, the npm launcher webwire.mjs) passes it on, and both
// end with 0: no child is left running with no parent, a server still listening.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { startServer } from "../testing/serve.ts";
import { processRuns } from "../testing/process_alive.ts";
import { RawClient } from "../testing/raw_client.ts";
import {
  cliCommand,
  type CliProcess,
  spawnCli,
  watchCliProcess,
} from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

const skip = process.platform !== "linux"; // ps --ppid and /proc
const here = "Bun" in globalThis ? "bun" : "deno";
const other = here === "bun" ? "deno" : "bun";
const launcher = fileURLToPath(new URL("./webwire.mjs", import.meta.url));

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  const ps = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.trim() !== "").map(Number);
}

/** Hangs up `run` once `ready` holds; its exit and whether its child outlived it. */
async function hangUp(run: CliProcess, ready: () => boolean): Promise<unknown> {
  const children: number[] = [];
  try {
    await until(ready, "the command runs", 20_000);
    children.push(...childrenOf(run.child.pid!));
    assert.equal(children.length, 1, `one child of ${run.child.pid}`);
    process.kill(run.child.pid!, "SIGHUP");
    const { code, signal } = await run.exited;
    await until(() => !processRuns(children[0]), "the child ended", 5000).catch(() => {});
    return { exit: code ?? signal, childRuns: processRuns(children[0]) };
  } finally {
    for (const pid of [run.child.pid!, ...children]) {
      if (processRuns(pid)) process.kill(pid, "SIGKILL");
    }
    await run.exited;
  }
}

test("SIGHUP to serve --runtime stops it and its child gracefully (exit 0)", { skip }, async () => {
  const run = spawnCli(["serve", "--port", "0", "--runtime", other]);
  const outcome = await hangUp(run, () => run.stdout().includes("listening on"));
  assert.deepEqual(outcome, { exit: 0, childRuns: false }, run.stderr());
  assert.match(run.stdout(), /shutting down/);
});

test("SIGHUP to the npm launcher stops the listen it runs too (exit 0)", { skip }, async () => {
  const running = await startServer({ sessionsEnabled: false, onRequest: (r) => r.payload });
  try {
    const child = spawn("node", [launcher, "listen", running.url, "--request", "echo=up"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run = watchCliProcess(child);
    const outcome = await hangUp(run, () => run.stdout().includes("reply to echo: up"));
    assert.deepEqual(outcome, { exit: 0, childRuns: false }, run.stderr());
  } finally {
    await running.close();
  }
});

for (const runtime of [here, other, "node"] as const) {
  const flag = runtime === here ? "" : ` --runtime ${runtime}`;
  test(
    `SIGHUP to serve${flag}: the request in flight answered, close 1001, exit 0`,
    {
      skip: process.platform === "win32",
      timeout: 60_000,
    },
    async () => {
      const args = ["serve", "--port", "0", ...(runtime === here ? [] : ["--runtime", runtime])];
      const [command, ...rest] = cliCommand(args);
      // A process group of its own, to kill what is left of it after a failure.
      const serve = watchCliProcess(spawn(command, rest, {
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        env: { ...process.env, WEBWIRE_TRACE: "1" },
      }));
      let client: RawClient | undefined;
      try {
        await until(() => /listening on ws:\/\//.test(serve.stdout()), "serve listens", 30_000);
        const url = /listening on (ws:\/\/\S+)/.exec(serve.stdout())![1];
        client = await RawClient.handshake(url);
        client.send(encodeRequest({ id: requestIdFromNumber(1), name: "sleep", payload: "1000" }));
        // The server's trace shows the request arrived: its handler is running.
        await until(() => /← request id=\d+ name="sleep"/.test(serve.stderr()), "sleep arrived");
        // By pid, to the CLI process alone (with --runtime, its parent passes it on).
        process.kill(serve.child.pid!, "SIGHUP");
        // A second stop signal during the graceful shutdown is ignored, as after a Ctrl-C.
        await until(() => serve.stdout().includes("shutting down"), "serve began its shutdown");
        process.kill(serve.child.pid!, "SIGTERM");
        const reply = await client.next();
        assert.ok(reply.kind === "reply", `a reply, not ${reply.kind}`);
        assert.equal(new TextDecoder().decode(reply.payload), "slept");
        assert.equal((await client.closed).code, 1001);
        assert.deepEqual(await serve.exited, { code: 0, signal: null }, serve.stderr());
        assert.match(serve.stdout(), /shutting down/);
      } finally {
        client?.close();
        try {
          process.kill(-serve.child.pid!, "SIGKILL");
        } catch {
          // Every process of the group has exited.
        }
        await serve.exited;
      }
    },
  );
}

/** Whether util-linux's `script` runs here, to give a command a terminal of its own. */
const hasScript = !skip && spawnSync("script", ["--version"]).status === 0;

test("serve whose terminal closes answers the request in flight, then closes with 1001", {
  skip: !hasScript,
}, async () => {
  // Its terminal gone, a write to it fails (EIO): Deno's console.log threw on serve's
  // "shutting down", which ended it with 1 before it answered or closed anything.
  const dir = await mkdtemp(join(tmpdir(), "webwire-hangup-"));
  const stderrFile = join(dir, "stderr");
  const stderr = () => readFile(stderrFile, "utf8").catch(() => "");
  // `script` runs serve on a pseudo-terminal whose session serve leads; killing `script`
  // closes that terminal, and the system hangs up on serve: SIGHUP, and EIO on every write.
  const line = cliCommand(["serve", "--port", "0"]).map((arg) => `'${arg}'`).join(" ");
  const terminal = watchCliProcess(
    spawn("script", ["-qfec", `exec ${line} 2>'${stderrFile}'`, "/dev/null"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, WEBWIRE_TRACE: "1" },
    }),
  );
  let client: RawClient | undefined;
  let serve: number | undefined;
  try {
    await until(() => /listening on ws:\/\//.test(terminal.stdout()), "serve listens", 30_000);
    const url = /listening on (ws:\/\/\S+)/.exec(terminal.stdout())![1];
    serve = childrenOf(terminal.child.pid!)[0];
    client = await RawClient.handshake(url);
    client.send(encodeRequest({ id: requestIdFromNumber(1), name: "sleep", payload: "1000" }));
    await until(async () => /← request id=\d+ name="sleep"/.test(await stderr()), "sleep arrived");
    process.kill(terminal.child.pid!, "SIGKILL");
    const reply = await client.next().catch((error: Error) => error);
    assert.ok(!(reply instanceof Error) && reply.kind === "reply", await stderr());
    assert.equal(new TextDecoder().decode(reply.payload), "slept");
    assert.equal((await client.closed).code, 1001, await stderr());
    await until(() => !processRuns(serve!), "serve ended", 5000);
  } finally {
    client?.close();
    for (const pid of [terminal.child.pid!, serve]) {
      if (pid !== undefined && processRuns(pid)) process.kill(pid, "SIGKILL");
    }
    await terminal.exited;
    await rm(dir, { recursive: true, force: true });
  }
});
