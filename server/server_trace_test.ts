// The server's debug trace: one line per message sent and received, to the logger's debug, on
// by the `trace` option or the WEBWIRE_TRACE environment variable, payloads only when asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { Client } from "../client/client.ts";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import type { Logger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { cliCommand } from "../testing/serve_process.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";
import { Server } from "./server.ts";

/** A logger that keeps its debug lines. */
function debugLogger(): { logger: Logger & { debug(line: string): void }; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: { warn: () => {}, error: () => {}, debug: (line: string) => void lines.push(line) },
    lines,
  };
}

/** A request, a signal each way and a created session on a raw connection; the lines logged. */
async function traffic(options: StartOptions, lines: string[]): Promise<string[]> {
  let connection: Connection | undefined;
  const running = await startServer({
    ...options,
    onClientConnected: (c) => void (connection = c),
    onRequest: async (request) => {
      if (request.name === "login") {
        await request.connection.createSession();
        return "in";
      }
      return request.payload;
    },
    onSignal: (signal) => signal.connection.signal("pong", "p"),
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(
      encodeRequest({ id: requestIdFromNumber(7), name: "echo", payload: "x".repeat(100) }),
    );
    assert.equal((await client.next()).kind, "reply");
    client.send(encodeSignal({ name: "ping", payload: "hi" }));
    assert.equal((await client.next()).kind, "signal");
    client.send(encodeRequest({ id: requestIdFromNumber(8), name: "login" }));
    assert.equal((await client.next()).kind, "session-created");
    assert.equal((await client.next()).kind, "reply");
    client.close();
    await client.closed;
    await until(() => connection !== undefined && !connection.isActive, "the connection ended");
  } finally {
    await running.close();
  }
  return lines;
}

test("trace: true logs one line per message, with the peer, and no payloads", async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: true }, lines);
  const peer = /^webwire:server (127\.0\.0\.1:\d+) /.exec(lines[0])?.[1];
  assert.ok(peer !== undefined, lines[0]);
  const body = lines.map((line) => line.replace(`webwire:server ${peer} `, ""));
  assert.deepEqual(body, [
    "→ accept-conf v2.0 11 B",
    '← request id=7 name="echo" 100 B',
    "→ reply id=7 100 B",
    '← signal name="ping" 2 B',
    '→ signal name="pong" 1 B',
    '← request id=8 name="login" 0 B',
    body[6],
    "→ reply id=8 2 B",
  ]);
  assert.match(body[6], /^→ session-created \d+ B$/);
});

test('trace: "payloads" shows the start of each payload, cut at 64 bytes', async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: "payloads" }, lines);
  const request = lines.find((line) => line.includes("← request id=7"));
  assert.ok(request?.endsWith(`100 B utf8 "${"x".repeat(64)}"…`), String(request));
  assert.ok(lines.some((line) => line.endsWith('← signal name="ping" 2 B utf8 "hi"')));
  assert.ok(lines.some((line) => line.endsWith('→ reply id=8 2 B utf8 "in"')));
});

test("trace options: a sink of its own and a payload limit; bytes shown as hex", async () => {
  const lines: string[] = [];
  const running = await startServer({
    logger: { warn: () => {}, error: () => {} },
    trace: { payloads: true, payloadLimit: 2, sink: (line) => void lines.push(line) },
    onRequest: (request) => request.payload,
  });
  try {
    const client = await RawClient.handshake(running.url);
    client.send(encodeRequest({ id: requestIdFromNumber(1), payload: new Uint8Array([1, 2, 3]) }));
    await client.next();
    client.close();
    await client.closed;
  } finally {
    await running.close();
  }
  assert.ok(lines.some((line) => line.endsWith('← request id=1 name="" 3 B hex 0102…')), lines[1]);
});

test("a trace payloadLimit that is no number is refused when the server and client are made", () => {
  for (const payloadLimit of [NaN, "8" as unknown as number]) {
    const trace = { payloads: true, payloadLimit };
    assert.throws(() => new Server({ trace }), RangeError);
    assert.throws(() => new Client("ws://127.0.0.1:1/", { trace, autoconnect: false }), RangeError);
  }
});

test("without the option or the environment variable nothing is traced", async () => {
  const { logger, lines } = debugLogger();
  await traffic({ logger, trace: false }, lines);
  await traffic({ logger }, lines);
  assert.deepEqual(lines, []);
});

test("WEBWIRE_TRACE=1 traces a server that has no trace option (webwire serve)", async () => {
  const [command, ...args] = cliCommand(["serve", "--port", "0"]);
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", WEBWIRE_TRACE: "1" },
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => output += chunk);
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => output += chunk);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    await until(() => /listening on ws:\/\//.test(output), "serve listens", 30_000);
    const url = /listening on (ws:\/\/\S+)/.exec(output)![1];
    const client = await RawClient.handshake(url);
    client.send(encodeRequest({ id: requestIdFromNumber(3), name: "echo", payload: "abc" }));
    assert.equal((await client.next()).kind, "reply");
    client.close();
    await until(() => output.includes("→ reply id=3 3 B"), "the reply traced", 5000);
    assert.match(output, /webwire:server 127\.0\.0\.1:\d+ ← request id=3 name="echo" 3 B\n/);
  } finally {
    process.kill(child.pid!, "SIGTERM");
    await exited;
  }
});
