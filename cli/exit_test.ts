// How commands end: serve's and listen's ends under repeated signals, the exit code of a child
// runtime killed by a signal, and when listen is done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "../client/client.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { acceptConf } from "../testing/scripted_peer.ts";
import { startServer } from "../testing/serve.ts";
import { type CliProcess, watchCliProcess } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";
import { currentRuntime, runInRuntime } from "./runtime.ts";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
/** npm's `webwire` command: Node runs it, and it runs main.ts in WEBWIRE_RUNTIME. */
const launcher = fileURLToPath(new URL("./webwire.mjs", import.meta.url));
/** How `runtime` (default: this one) runs a TypeScript file. */
function runTs(file: string, runtime = currentRuntime()): string[] {
  const executable = runtime === currentRuntime()
    ? process.execPath
    : fileURLToPath(new URL(`../node_modules/.bin/${runtime}`, import.meta.url));
  return runtime === "bun" ? [executable, "run", file] : [executable, "run", "-A", file];
}

/** `launcher`: through cli/webwire.mjs (with Node, which must be on PATH). */
function startCli(
  args: string[],
  options: { detached?: boolean; runtime?: "deno" | "bun"; launcher?: boolean } = {},
): CliProcess {
  const runtime = options.runtime ?? currentRuntime();
  const [command, ...rest] = options.launcher ? ["node", launcher] : runTs(main, runtime);
  return watchCliProcess(spawn(command, [...rest, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached,
    env: { ...process.env, WEBWIRE_TRACE: "1", WEBWIRE_RUNTIME: runtime },
  }));
}

test("Ctrl-C twice on serve --runtime bun still answers the request in flight, then exits 0", {
  skip: process.platform === "win32",
}, async () => {
  // Its own process group, which a terminal's Ctrl-C signals as a whole: under Deno, the Bun
  // child gets each SIGINT twice (from the "terminal" and forwarded by its Deno parent).
  const serve = startCli(["serve", "--port", "0", "--runtime", "bun"], { detached: true });
  const group = -serve.child.pid!;
  let client: Client | undefined;
  try {
    await until(() => /listening on ws:\/\//.test(serve.stdout()), "serve printed its URL", 20_000);
    const url = /listening on (ws:\/\/\S+)/.exec(serve.stdout())![1];
    client = new Client(url, { autoconnect: false, logger: silentLogger });
    await client.connect();
    const reply = client.request("sleep", "1000").then((payload) => payload.text());
    // The server's trace shows the request arrived: its handler is running.
    await until(() => /← request id=\d+ name="sleep"/.test(serve.stderr()), "sleep arrived");
    process.kill(group, "SIGINT");
    await until(() => serve.stdout().includes("shutting down"), "serve began its shutdown");
    process.kill(group, "SIGINT");
    assert.equal(await reply, "slept");
    const { code, signal } = await serve.exited;
    assert.deepEqual([code, signal], [0, null], serve.stderr());
  } finally {
    await client?.close();
    try {
      process.kill(group, "SIGKILL"); // what is left of the group after a failure
    } catch {
      // Every process of the group has exited.
    }
  }
});

test("Ctrl-C to the process group ends an idle serve --runtime node with 0, every time", {
  skip: process.platform === "win32",
  timeout: 120_000,
}, async () => {
  // The Node child gets the SIGINT twice: from the "terminal", and forwarded by its parent a
  // moment later, when an idle server may be exiting already; Node ends a process that a
  // signal reaches while it exits with that signal (130). Several rounds: it is a race.
  for (let round = 1; round <= 10; round++) {
    const serve = startCli(["serve", "--port", "0", "--runtime", "node"], { detached: true });
    const group = -serve.child.pid!;
    try {
      await until(() => /listening on ws:\/\//.test(serve.stdout()), "serve listens", 30_000);
      process.kill(group, "SIGINT");
      const { code, signal } = await serve.exited;
      assert.deepEqual([code, signal], [0, null], `round ${round}: ${serve.stderr()}`);
    } finally {
      try {
        process.kill(group, "SIGKILL"); // what is left of the group after a failure
      } catch {
        // Every process of the group has exited.
      }
    }
  }
});

test("a --runtime child killed by a signal is not a success: 128 + the signal's number", {
  skip: process.platform === "win32",
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-cli-"));
  try {
    const entry = join(dir, "killed.ts");
    await writeFile(
      entry,
      'import process from "node:process";\nprocess.kill(process.pid, "SIGINT");\n' +
        "setTimeout(() => {}, 10_000);\n",
    );
    assert.equal(await runInRuntime(currentRuntime(), entry, []), 130);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a signal right after a --runtime child exited does not end the parent", {
  skip: process.platform === "win32",
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-cli-"));
  try {
    // As when Ctrl-C is pressed again while serve's child finishes its shutdown: the parent
    // must still exit with the child's code, not 130.
    const child = join(dir, "done.ts");
    await writeFile(child, "console.log('child done');\n");
    const parent = join(dir, "parent.ts");
    const runtimeModule = fileURLToPath(new URL("./runtime.ts", import.meta.url));
    await writeFile(
      parent,
      'import process from "node:process";\n' +
        `import { currentRuntime, runInRuntime } from ${JSON.stringify(runtimeModule)};\n` +
        `const code = await runInRuntime(currentRuntime(), ${JSON.stringify(child)}, []);\n` +
        'process.kill(process.pid, "SIGINT");\n' +
        "await new Promise((resolve) => setTimeout(resolve, 300));\n" +
        "console.log(`parent exits with ${code}`);\n" +
        "process.exit(code);\n",
    );
    const [command, ...args] = runTs(parent);
    const run = watchCliProcess(spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] }));
    const { code, signal } = await run.exited;
    assert.deepEqual([code, signal], [0, null], run.stderr());
    assert.match(run.stdout(), /child done\n[^]*parent exits with 0/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("listen --session --count --request waits for its reply after a kept signal", async () => {
  const running = await startServer(conformanceService());
  try {
    const client = new Client(running.url, { autoconnect: false, logger: silentLogger });
    await client.connect();
    await client.request("login", "ada");
    await until(() => client.session !== null, "logged in");
    const key = client.session!.key;
    await client.close();
    // On both runtimes: Deno's client hands out the kept signal before the restore's reply.
    for (const runtime of ["deno", "bun"] as const) {
      await until(() => running.server.connectionCount === 0, "the session is held by nobody");
      // Kept for the session, and sent right after listen's restore reply.
      assert.equal(running.server.signalSession(key, "mail", "m1"), 0);
      const args = ["--session", key, "--count", "1", "--request", "sleep=200"];
      const listen = startCli(["listen", running.url, ...args], { runtime });
      const { code } = await listen.exited;
      assert.equal(code, 0, `${runtime}: ${listen.stderr()}`);
      const lines = listen.stdout().trim().split("\n").sort();
      assert.deepEqual(lines, ["mail m1", "reply to sleep: slept"], runtime);
    }
  } finally {
    await running.close();
  }
});

test("SIGTERM ends listen as Ctrl-C does: exit 0", {
  skip: process.platform === "win32",
}, async () => {
  const running = await startServer(conformanceService());
  try {
    const listen = startCli(["listen", running.url, "--request", "echo=ready"]);
    await until(() => listen.stdout().includes("reply to echo: ready"), "listen is connected");
    // process.kill, not child.kill: Deno's child_process reports a child it signalled through
    // child.kill as killed by that signal even when it exited with a code of its own.
    process.kill(listen.child.pid!, "SIGTERM");
    assert.deepEqual(await listen.exited, { code: 0, signal: null }, listen.stderr());
  } finally {
    await running.close();
  }
});

test("Ctrl-C twice through the npm launcher ends listen with 0, also while it closes", {
  skip: process.platform === "win32",
}, async () => {
  // A terminal's Ctrl-C reaches listen twice: from the terminal and forwarded by the launcher.
  // The peer never answers listen's close frame, so listen stays in its close (2 s) while the
  // second Ctrl-C comes: that one must not kill it either.
  const opcodes: number[] = [];
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(serverFrame(2, acceptConf())),
    onData: (_socket, bytes) => opcodes.push(bytes[0] & 0x0f),
  });
  // --signal is sent once listen watches Ctrl-C.
  const listen = startCli(["listen", peer.url, "--signal", "ready"], {
    detached: true,
    launcher: true,
  });
  const group = -listen.child.pid!;
  let ended = false;
  void listen.exited.then(() => ended = true);
  try {
    await until(() => opcodes.includes(2), "listen sent its signal", 20_000);
    process.kill(group, "SIGINT");
    // Without its handler, the forwarded Ctrl-C alone may have killed it already.
    await until(() => opcodes.includes(8) || ended, "listen sent its close frame");
    if (!ended) process.kill(group, "SIGINT");
    assert.deepEqual(await listen.exited, { code: 0, signal: null }, listen.stderr());
  } finally {
    try {
      process.kill(group, "SIGKILL"); // what is left of the group after a failure
    } catch {
      // Every process of the group has exited.
    }
    await peer.close();
  }
});
