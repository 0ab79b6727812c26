// The client's debug trace: one line per message sent and received, on by the `trace` option
// or WEBWIRE_TRACE (the CLI, a process of its own, prints it to stderr), payloads when asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import type { Logger } from "../protocol/logger.ts";
import { silentLogger } from "../protocol/logger.ts";
import { cliCommand } from "../testing/serve_process.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";

/** A logger that keeps its debug lines. */
function debugLogger(): { logger: Logger & { debug(line: string): void }; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: { warn: () => {}, error: () => {}, debug: (line: string) => void lines.push(line) },
    lines,
  };
}

/** A request, a signal each way and a created session; the lines the client traced. */
async function traffic(options: ClientOptions, lines: string[]): Promise<string[]> {
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      if (request.name === "login") {
        await request.connection.createSession();
        return "in";
      }
      return request.payload;
    },
    onSignal: (signal) => signal.connection.signal("pong", "p"),
  });
  let pongs = 0;
  const client = new Client(running.url, { ...options, onSignal: () => void pongs++ });
  try {
    await client.connect();
    await client.request("echo", "y".repeat(80));
    client.signal("ping", "hi");
    await until(() => pongs === 1, "the pong arrived");
    await client.request("login");
  } finally {
    await client.close();
    await running.close();
  }
  return lines;
}

test("trace: true logs one line per message with the URL, and no payloads", async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: true }, lines);
  const url = /^webwire:client (ws:\/\/\S+) /.exec(lines[0])?.[1];
  assert.ok(url?.startsWith("ws://127.0.0.1:"), lines[0]);
  const body = lines.map((line) => line.replace(`webwire:client ${url} `, ""));
  assert.deepEqual(body.filter((line) => !line.includes("heartbeat")), [
    "← accept-conf v2.0 11 B",
    '→ request id=1 name="echo" 80 B',
    "← reply id=1 80 B",
    '→ signal name="ping" 2 B',
    '← signal name="pong" 1 B',
    '→ request id=2 name="login" 0 B',
    body.find((line) => line.startsWith("← session-created")),
    "← reply id=2 2 B",
  ]);
  assert.match(body.find((line) => line.startsWith("← session-created"))!, / \d+ B$/);
});

test('trace: "payloads" shows the start of each payload, cut at 64 bytes', async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: "payloads" }, lines);
  const request = lines.find((line) => line.includes("→ request id=1"));
  assert.ok(request?.endsWith(`80 B utf8 "${"y".repeat(64)}"…`), String(request));
  assert.ok(lines.some((line) => line.endsWith('← signal name="pong" 1 B utf8 "p"')));
});

test("without the option or the environment variable nothing is traced", async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: false }, lines);
  await traffic({ logger }, lines);
  assert.deepEqual(lines, []);
});

test("a trace sink of its own gets the lines; a throwing sink does not break the traffic", async () => {
  const lines: string[] = [];
  await traffic({ logger: silentLogger, trace: { sink: (line) => void lines.push(line) } }, []);
  assert.ok(lines.some((line) => line.endsWith('→ request id=1 name="echo" 80 B')));
  await traffic({
    logger: silentLogger,
    trace: {
      sink: () => {
        throw new Error("sink failed");
      },
    },
  }, []);
});

/** Runs the CLI with `env` added; resolves with its exit code, stdout and stderr. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, ...rest] = cliCommand(args);
  const child = spawn(command, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

test("webwire call with WEBWIRE_TRACE prints trace lines to stderr, the reply alone to stdout", async () => {
  const running = await startServer({ logger: silentLogger, onRequest: (r) => r.payload });
  try {
    const traced = await runCli(["call", running.url, "echo", "hello"], { WEBWIRE_TRACE: "1" });
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, "hello\n");
    const lines = traced.stderr.trim().split("\n");
    assert.deepEqual(lines, [
      `webwire:client ${running.url} ← accept-conf v2.0 11 B`,
      `webwire:client ${running.url} → request id=1 name="echo" 5 B`,
      `webwire:client ${running.url} ← reply id=1 5 B`,
    ]);
    const payloads = await runCli(["call", running.url, "echo", "hello"], {
      WEBWIRE_TRACE: "payloads",
    });
    assert.match(payloads.stderr, /→ request id=1 name="echo" 5 B utf8 "hello"\n/);
    const quiet = await runCli(["call", running.url, "echo", "hello"], { WEBWIRE_TRACE: "0" });
    assert.equal(quiet.stderr, "");
    assert.equal(quiet.stdout, "hello\n");
  } finally {
    await running.close();
  }
});

test("Deno without --allow-env: WEBWIRE_TRACE is not read, and nothing prompts or throws", {
  skip: !("Deno" in globalThis),
}, async () => {
  const running = await startServer({ logger: silentLogger, onRequest: (r) => r.payload });
  try {
    const main = new URL("../cli/main.ts", import.meta.url).pathname;
    const child = spawn(process.execPath, [
      "run",
      "--allow-net",
      "--allow-read",
      main,
      "call",
      running.url,
      "echo",
      "hi",
    ], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", WEBWIRE_TRACE: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
    const code = await new Promise((resolve) => child.once("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "hi\n");
    assert.doesNotMatch(stderr, /webwire:client/);
  } finally {
    await running.close();
  }
});
