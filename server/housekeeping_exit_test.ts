// A server's housekeeping timers (expiry sweeps, the clean-up of signals kept for offline
// sessions, the end of the violation log's window) never keep a process alive on their own: a
// script that made a server with session expiry and offline signals and never shut it down ends
// by itself. Real processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const server = fileURLToPath(new URL("./server.ts", import.meta.url));
const memory = fileURLToPath(new URL("../session/memory_session_manager.ts", import.meta.url));
const log = fileURLToPath(new URL("./rate_limited_log.ts", import.meta.url));

const script = `
import { Server } from ${JSON.stringify(server)};
import { MemorySessionManager } from ${JSON.stringify(memory)};
import { RateLimitedLog } from ${JSON.stringify(log)};
const server = new Server({
  sessionManager: new MemorySessionManager(),
  sessionIdleTimeout: 60_000,
  sessionMaxAge: 3_600_000,
});
server.signalSession("a-key-nobody-holds", "kept", "while offline");
// Past its quota: the count of those left out is due when the minute is over.
const quiet = { warn: () => {}, error: () => {} };
const violations = new RateLimitedLog(quiet, { max: 1, windowMs: 60_000, what: "violations" });
violations.warn("one");
violations.warn("two");
console.log("made");
`;

test("a server never shut down does not keep the process alive with its timers", async () => {
  const runtime = "Bun" in globalThis
    ? [process.execPath, "-e", script]
    : [process.execPath, "eval", "--ext=ts", script];
  const child = spawn(runtime[0], runtime.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => output += chunk);
  child.stderr!.on("data", (chunk: string) => output += chunk);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
  );
  clearTimeout(timer);
  assert.equal(signal, null, `still running after 20 s: ${output}`);
  assert.equal(code, 0, output);
  assert.equal(output, "made\n");
});
