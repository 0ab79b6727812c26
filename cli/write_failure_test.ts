// Output that stdout cannot take (a full disk, here /dev/full: every write fails with ENOSPC)
// fails the command with 1 and one line on stderr, on every runtime: Bun's console.log dropped
// the reply without a word (exit 0), and listen under Deno threw in its signal handler and
// waited for --count for ever.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import process from "node:process";
import { startServer } from "../testing/serve.ts";
import { cliCommand } from "../testing/serve_process.ts";

const skip = !existsSync("/dev/full");

/** Runs `webwire <args>` with stdout on /dev/full; its exit code and stderr (20 s at most). */
function runToFullDisk(args: string[]): Promise<{ code: number | string; stderr: string }> {
  const [command, ...rest] = cliCommand(args);
  const full = openSync("/dev/full", "w");
  try {
    const child = spawn(command, rest, { stdio: ["ignore", full, "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => stderr += chunk);
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 20_000);
    return new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? signal ?? "unknown", stderr });
      });
    });
  } finally {
    closeSync(full);
  }
}

test(
  "call and listen whose output cannot be written exit with 1 and say so",
  { skip },
  async () => {
    const running = await startServer({
      sessionsEnabled: false,
      onRequest: (request) => request.payload,
      onSignal: (signal) => signal.connection.signal(signal.name, signal.payload),
    });
    try {
      const call = await runToFullDisk(["call", running.url, "echo", "hello"]);
      assert.equal(call.code, 1, call.stderr);
      assert.match(call.stderr, /^webwire call: cannot write to stdout: .*\n$/);
      const listen = await runToFullDisk([
        "listen",
        running.url,
        "--signal",
        "s=x",
        "--count",
        "1",
      ]);
      assert.equal(listen.code, 1, listen.stderr);
      assert.match(listen.stderr, /^webwire listen: cannot write to stdout: .*\n$/);
    } finally {
      await running.close();
    }
  },
);
