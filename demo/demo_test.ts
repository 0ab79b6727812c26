/**
 * Runs the demo as a subprocess in the runtime that runs this test (Deno or Bun) and checks
 * its exit code and the key lines of its transcript.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function runDemo(): { status: number | null; output: string } {
  const isBun = "Bun" in globalThis;
  const args = isBun ? ["run", "demo/main.ts"] : ["run", "-A", "demo/main.ts"];
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

test("the demo runs every step, checks it and exits 0", () => {
  const { status, output } = runDemo();
  assert.equal(status, 0, output);
  assert.doesNotMatch(output, /^ {2}FAIL /m);
  const sections = [...output.matchAll(/^== (.+)$/gm)].map((match) => match[1]);
  assert.deepEqual(sections, [
    "Connect",
    "Request and reply in each encoding",
    "Error reply and internal error",
    "Signals both ways",
    "Session created by a login request",
    "Forced reconnect: the server drops the connection",
    "Forced reconnect: the server restarts on the same port",
    "Cancellation with an AbortSignal",
    "Timeout",
    "Graceful shutdown with a request in flight",
    "Summary",
  ]);
  for (
    const line of [
      'client  <- reply utf8 "héllo, wörld"',
      'client  <- reply utf16 "こんにちは 🌍"',
      "client  <- reply binary de ad be ef 00 ff",
      'RequestError with code "TEST_ERROR"',
      "InternalError, without the server's details",
      'client  <- signal "srvsig" "ping"',
      'server  <- signal "echo-signal" "marco"',
      "the server received the client's signal and signalled back",
      "the server stored it as <key>.wwrsess",
      "client reconnected by itself and restored its session",
      "CanceledError",
      "TimeoutError after 50 ms",
      "ShutdownError",
      "the request in flight still got its reply",
    ]
  ) {
    assert.ok(output.includes(line), `missing from the transcript: ${line}\n${output}`);
  }
  // Each restore after a forced reconnect shows the key the login created.
  const key = /session created, key (\S+),/.exec(output)?.[1];
  assert.ok(key !== undefined, output);
  assert.equal(output.split(`same session key ${key}`).length - 1, 2, output);
  assert.match(output, /all \d+ checks passed\s*$/);
});
