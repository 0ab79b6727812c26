import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  runCli,
  serveProcessFixture,
  spawnCli,
  startServeProcess,
} from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

let url: string;
serveProcessFixture((served) => url = served.url);

test("listen --timeout without the reply to a --request exits 4 and names the request", async () => {
  const run = await runCli("listen", url, "--request", "sleep=3000", "--timeout", "300");
  assert.equal(run.code, 4, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /timed out after 300 ms with no reply yet to "sleep"\n/);
  // The signals were all there: only the reply is blamed.
  const counted = await runCli(
    "listen",
    url,
    "--signal",
    "echo-signal=x",
    "--request",
    "sleep=3000",
    "--count",
    "1",
    "--timeout",
    "600",
  );
  assert.equal(counted.code, 4, counted.stderr);
  assert.equal(counted.stdout, "echo-signal x\n");
  assert.match(counted.stderr, /timed out after 600 ms with no reply yet to "sleep"\n/);
  // A reply that came in time: exit 0 at the timeout, as without --request.
  const answered = await runCli("listen", url, "--request", "echo=hi", "--timeout", "300");
  assert.equal(answered.code, 0, answered.stderr);
  assert.equal(answered.stdout, "reply to echo: hi\n");
});

test("listen sends its --requests one after another: whoami sees the session login made", async () => {
  // Files make login's session slow to store (as Redis does): whoami sent along with login
  // would be answered first, with NO_SESSION. This is the README's cluster example.
  const directory = await mkdtemp(join(tmpdir(), "webwire-listen-"));
  const served = await startServeProcess(["--port", "0", "--session-dir", directory]);
  try {
    const args = ["--request", "login=ada", "--request", "whoami", "--timeout", "2000"];
    const run = await runCli("listen", served.url, ...args);
    assert.equal(run.code, 0, run.stderr);
    const found = /^reply to login: ok\nreply to whoami: (\S+)\n$/.exec(run.stdout);
    assert.ok(found !== null, run.stdout);
    const user = await runCli("call", served.url, "user", "--session", found[1]);
    assert.equal(user.stdout, "ada\n", user.stderr);
  } finally {
    await served.stop();
    await rm(directory, { recursive: true, force: true });
  }
});

/** A TCP server that accepts connections and never answers: a WebSocket dial to it hangs. */
async function silentServer(): Promise<{ url: string; server: TcpServer; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const tcp = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const { port } = tcp.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, server: tcp, sockets };
}

test("listen stopped by SIGTERM or Ctrl-C while still connecting exits 0", async () => {
  const silent = await silentServer();
  try {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const connections = silent.sockets.length;
      const listen = spawnCli(["listen", silent.url, "--timeout", "20000"]);
      // Connected over TCP, the upgrade unanswered: listen is connecting.
      await until(() => silent.sockets.length > connections, "listen dialled", 20_000);
      process.kill(listen.child.pid!, signal);
      const { code, signal: killedBy } = await listen.exited;
      assert.equal(killedBy, null, `${signal} killed listen: ${listen.stderr()}`);
      assert.equal(code, 0, listen.stderr());
      assert.equal(listen.stderr(), "");
    }
  } finally {
    for (const socket of silent.sockets) socket.destroy();
    silent.server.close();
  }
});

test("listen that loses its connection says so (exit 3), not that it cannot connect", async () => {
  const own = await startServeProcess(["--port", "0"]);
  const listen = spawnCli(["listen", own.url, "--request", "echo=up"]);
  try {
    await until(() => listen.stdout() === "reply to echo: up\n", "listen got its reply", 20_000);
  } finally {
    await own.stop("SIGTERM");
  }
  assert.equal((await listen.exited).code, 3, listen.stderr());
  assert.match(listen.stderr(), /^webwire listen: lost the connection to the server: /);
});

test("a --session key too long for the server exits 2 and blames the key", async () => {
  const key = "k".repeat(9000);
  for (
    const run of [
      await runCli("call", url, "echo", "--session", key),
      await runCli("listen", url, "--session", key),
    ]
  ) {
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /: session key too long: the message is \d+ bytes, the server accepts at most 8192\n/,
    );
  }
});
