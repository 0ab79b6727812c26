import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Payload } from "../protocol/payload.ts";
import { startServer } from "../testing/serve.ts";
import { runCli, spawnCli } from "../testing/serve_process.ts";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { acceptConf } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

/** Bytes that are not UTF-8: printed as text they would come out as U+FFFD. */
const notUtf8 = new Uint8Array([0xff, 0, 0x80, 0x41]);

test("call --base64 prints a binary reply's exact bytes; --json and --base64 exclude", async () => {
  const running = await startServer({
    sessionsEnabled: false,
    onRequest: (request) => request.name === "bytes" ? Payload.from(notUtf8) : request.payload,
  });
  try {
    const run = await runCli("call", running.url, "bytes", "--base64");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "/wCAQQ==\n");
    // A text reply: the bytes of its encoding, as sent.
    const utf16 = await runCli(
      "call",
      running.url,
      "echo",
      "hé",
      "--encoding",
      "utf16",
      "--base64",
    );
    assert.equal(utf16.stdout, "aADpAA==\n");
    const both = await runCli("call", running.url, "bytes", "--base64", "--json");
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^webwire call: --base64 and --json exclude each other\n/);
  } finally {
    await running.close();
  }
});

test("listen stops (exit 0) once the reader of its output has gone", async () => {
  // A server that signals its client every 20 ms once asked, for ever.
  const timers: ReturnType<typeof setInterval>[] = [];
  const running = await startServer({
    sessionsEnabled: false,
    onRequest: (request) => {
      const { connection } = request;
      const timer = setInterval(() => {
        if (connection.isActive) connection.signal("tick", "t");
        else clearInterval(timer);
      }, 20);
      timers.push(timer);
      return "ticking";
    },
  });
  const listen = spawnCli(["listen", running.url, "--request", "start"]);
  try {
    await until(() => listen.stdout().includes("tick t\n"), "listen printed a signal", 20_000);
    // As `webwire listen ... | head -1` once head has its line: the pipe's reading end closes.
    listen.child.stdout!.destroy();
    const stopped = await Promise.race([
      listen.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), 5000)),
    ]);
    assert.deepEqual(stopped, { code: 0, signal: null }, listen.stderr());
    assert.equal(listen.stderr(), "");
  } finally {
    if (listen.child.exitCode === null) process.kill(listen.child.pid!, "SIGKILL");
    await listen.exited;
    for (const timer of timers) clearInterval(timer);
    await running.close();
  }
});

test("call that loses its connection mid-request says so (exit 3), not that it cannot connect", async () => {
  // The handshake, then the TCP connection goes as the request arrives.
  const peer = await startRawFramePeer({
    onOpen: (socket) => socket.write(serverFrame(2, acceptConf())),
    onData: (socket) => socket.destroy(),
  });
  try {
    const run = await runCli("call", peer.url, "hang", "--timeout", "10000");
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^webwire call: lost the connection to the server: /);
  } finally {
    await peer.close();
  }
});
