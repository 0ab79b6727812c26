// Tests of the live server suite: it passes against our server with the conformance service,
// and it reports failures (within its timeouts) against servers that are broken on purpose.

import { LoopLateness } from "./loop_lateness.ts";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
// @ts-types="npm:@types/ws@^8.18.1"
import { type WebSocket, WebSocketServer } from "ws";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Payload } from "../protocol/payload.ts";
import type { ServerOptions } from "../server/options.ts";
import { until } from "../testing/until.ts";
import {
  adaptersOfThisRuntime,
  type StartedServer,
  type StartOptions,
  startServer,
} from "../testing/serve.ts";
import { parseSuiteArguments } from "./run_server_suite.ts";
import {
  informationalCheckNames,
  runServerSuite,
  serverCheckNames,
  ServerUnreachableError,
  type SuiteReport,
} from "./server_suite.ts";
import { utf16le } from "./server_suite_bytes.ts";
import { CheckContext } from "./server_suite_context.ts";
import { conformanceService } from "./service.ts";

async function withServer<T>(
  options: StartOptions,
  body: (running: StartedServer) => Promise<T>,
): Promise<T> {
  // Silent: the suite's malformed messages and the "internal" request would log on purpose.
  const running = await startServer({ logger: silentLogger, ...options });
  try {
    return await body(running);
  } finally {
    await running.close();
  }
}

/**
 * Every mandatory check passed but those skipped against a server with the default read
 * timeout (60 s, longer than a step) when no shutdown hook is given.
 */
function assertAllPassed(report: SuiteReport): void {
  assert.deepEqual(report.results.filter((r) => !r.passed && !r.informational), []);
  const skipped = report.results.filter((r) => r.skipped === true).map((r) => r.name);
  assert.deepEqual(skipped, ["read-timeout-idle", "read-timeout-heartbeat", "graceful-shutdown"]);
  const mandatory = serverCheckNames.length - informationalCheckNames.length;
  assert.deepEqual([report.passed, report.failed], [mandatory - skipped.length, 0]);
}

function result(report: SuiteReport, name: string) {
  const found = report.results.find((r) => r.name === name);
  assert.ok(found, `no result for ${name}`);
  return found;
}

test("every check passes against our server with the conformance service", async () => {
  await withServer(conformanceService(), async (running) => {
    const report = await runServerSuite(running.url, { timeoutMs: 2000 });
    assertAllPassed(report);
    assert.deepEqual(report.results.map((r) => r.name), serverCheckNames);
    // Our server handles a connection's requests concurrently by default.
    assert.equal(result(report, "sleep-does-not-block").passed, true);
    assert.match(result(report, "malformed-text-frame").detail, /closed with code 1003/);
  });
});

test("a server whose echo answers wrongly fails the echo checks only", async () => {
  const service = conformanceService();
  const onRequest: ServerOptions["onRequest"] = (request) => {
    if (request.name === "echo" && request.payload.length > 0) {
      // Reverses the bytes: the payload length and encoding stay right, the content does not.
      return new Payload(request.payload.bytes.slice().reverse(), request.payload.encoding);
    }
    return service.onRequest!(request);
  };
  await withServer({ ...service, onRequest }, async (running) => {
    const only = ["echo-binary", "echo-utf8", "reply-ids", "nameless-binary", "echo-empty-payload"];
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    assert.equal(result(report, "echo-binary").passed, false);
    assert.match(result(report, "echo-binary").detail, /differs from/);
    assert.equal(result(report, "echo-utf8").passed, false);
    assert.match(result(report, "reply-ids").detail, /carries another payload/);
    assert.equal(result(report, "nameless-binary").passed, true);
    assert.equal(result(report, "echo-empty-payload").passed, true);
    assert.equal(report.failed, 3);
    assert.equal(report.passed, 2);
  });
});

test("a server that answers echo in another encoding fails", async () => {
  const service = conformanceService();
  const onRequest: ServerOptions["onRequest"] = (request) =>
    request.name === ""
      ? new Payload(request.payload.bytes, "binary")
      : service.onRequest!(request);
  await withServer({ ...service, onRequest }, async (running) => {
    const only = ["nameless-utf16", "nameless-binary"];
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    assert.match(result(report, "nameless-utf16").detail, /expected reply type 193, got 191/);
    assert.equal(result(report, "nameless-binary").passed, true);
  });
  // echo answering binary requests in UTF-8, the same bytes: every binary echo check fails.
  const utf8Echo: ServerOptions["onRequest"] = (request) =>
    request.name === "echo" && request.payload.encoding === "binary"
      ? new Payload(request.payload.bytes, "utf8")
      : service.onRequest!(request);
  await withServer({ ...service, onRequest: utf8Echo }, async (running) => {
    const only = ["reply-ids", "concurrent-requests", "echo-binary"];
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    for (const name of only) {
      assert.match(result(report, name).detail, /expected reply type 191, got 192/, name);
    }
  });
});

test("a server that replies whoami in UTF-16 passes the checks that ask it", async () => {
  const service = conformanceService();
  const onRequest: ServerOptions["onRequest"] = (request) => {
    const key = request.connection.session?.key;
    if (request.name !== "whoami" || key === undefined) return service.onRequest!(request);
    return new Payload(utf16le(key), "utf16"); // a valid reply: any encoding may carry the key
  };
  await withServer({ ...service, onRequest }, async (running) => {
    const only = ["session-created", "session-restore"];
    const report = await runServerSuite(running.url, { timeoutMs: 2000, only });
    for (const name of only) assert.equal(result(report, name).passed, true, name);
  });
});

test("a check that goes on past its deadline has its later connections closed at once", async () => {
  await withServer(conformanceService(), async (running) => {
    const context = new CheckContext(running.url, 1000);
    await context.handshake();
    // The runner ends a check at its deadline; the check itself may still be connecting.
    const late = context.connect();
    context.closeAll();
    await assert.rejects(late, /the check has ended/);
    await assert.rejects(context.handshake(), /the check has ended/);
    await until(() => running.server.connectionCount === 0, "the server saw every socket close");
  });
});

/**
 * A fake server on `ws` that sends `first` on connect (if any), then hands each connection to
 * `serve` (by default it ignores everything).
 */
async function withFakeServer(
  first: Uint8Array | undefined,
  body: (url: string) => Promise<void>,
  serve: (socket: WebSocket) => void = () => {},
): Promise<void> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  wss.on("connection", (socket) => {
    if (first !== undefined) socket.send(first);
    serve(socket);
  });
  const address = wss.address();
  assert.ok(typeof address === "object" && address !== null);
  try {
    await body(`ws://127.0.0.1:${address.port}/`);
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
}

test("a wrong accept-conf is reported", async () => {
  // Version 3.0, read timeout 500 ms, buffer 0.
  const conf = new Uint8Array([23, 3, 0, 0xf4, 0x01, 0, 0, 0, 0, 0, 0]);
  await withFakeServer(conf, async (url) => {
    const report = await runServerSuite(url, { timeoutMs: 300, only: ["accept-conf"] });
    assert.equal(report.failed, 1);
    assert.match(report.results[0].detail, /protocol version 3\.0, expected 2\.x/);
  });
  const v2 = new Uint8Array([23, 2, 0, 0xf4, 0x01, 0, 0, 0, 0x20, 0, 0]);
  await withFakeServer(v2, async (url) => {
    const report = await runServerSuite(url, { timeoutMs: 300, only: ["accept-conf"] });
    assert.match(report.results[0].detail, /read timeout 500 ms is below/);
  });
  // A short message of another type is blamed for its type; a short accept-conf for its length.
  for (
    const [first, said] of [
      [new Uint8Array([21]), /first message has type 21, not 23/],
      [new Uint8Array([23, 2, 0]), /accept-conf is 3 bytes, not 11 or more: 170200/],
    ] as const
  ) {
    await withFakeServer(first, async (url) => {
      const report = await runServerSuite(url, { timeoutMs: 300, only: ["accept-conf"] });
      assert.match(report.results[0].detail, said);
    });
  }
});

test("a silent server fails every check within the timeouts instead of hanging", async () => {
  const conf = new Uint8Array([23, 2, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]);
  await withFakeServer(conf, async (url) => {
    const only = ["accept-conf", "echo-binary", "heartbeat-ignored", "malformed-empty-frame"];
    const lateness = LoopLateness.start();
    const started = Date.now();
    const report = await runServerSuite(url, { timeoutMs: 300, only });
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    // Four checks of at most a few 300 ms waits each; more only by as much as the loop was late.
    assert.ok(elapsed < 4000 + late, `took ${elapsed} ms (event loop ${Math.round(late)} ms late)`);
    assert.equal(result(report, "accept-conf").passed, true);
    assert.match(
      result(report, "echo-binary").detail,
      /nothing within 300 ms while waiting for the echo reply/,
    );
    assert.match(result(report, "heartbeat-ignored").detail, /within 300 ms/);
    assert.match(result(report, "malformed-empty-frame").detail, /still open 300 ms after/);
    assert.equal(report.failed, 3);
  });
  await withFakeServer(undefined, async (url) => {
    const report = await runServerSuite(url, { timeoutMs: 300, only: ["accept-conf"] });
    assert.match(report.results[0].detail, /nothing within 300 ms while waiting for accept-conf/);
  });
});

test("an unreachable server and bad arguments are refused before any check", async () => {
  await assert.rejects(
    runServerSuite("ws://127.0.0.1:1/", { timeoutMs: 500 }),
    ServerUnreachableError,
  );
  await assert.rejects(runServerSuite("http://127.0.0.1:1/"), RangeError);
  await assert.rejects(runServerSuite("ws://127.0.0.1:1/", { only: ["nope"] }), RangeError);
  assert.equal(typeof parseSuiteArguments([]), "string");
  assert.equal(typeof parseSuiteArguments(["ws://a/", "extra"]), "string");
  assert.equal(typeof parseSuiteArguments(["ws://a/", "--timeout", "x"]), "string");
  for (const bad of ["3000000000", "500000000", "1e3", "0x10", "0"]) {
    assert.equal(typeof parseSuiteArguments(["ws://a/", "--timeout", bad]), "string", bad);
  }
  assert.deepEqual(parseSuiteArguments(["ws://a/", "--timeout", "429496529"]), {
    url: "ws://a/",
    verbose: false,
    options: { timeoutMs: 429496529 },
  });
  for (const empty of [",", ""]) {
    assert.equal(typeof parseSuiteArguments(["ws://a/", "--only", empty]), "string", empty);
  }
  assert.deepEqual(parseSuiteArguments(["--only", "a,b", "ws://a/", "-v"]), {
    url: "ws://a/",
    verbose: true,
    options: { only: ["a", "b"] },
  });
  // The `--name=value` form, as every other command takes it.
  assert.deepEqual(parseSuiteArguments(["ws://a/", "--only=a", "--timeout=500"]), {
    url: "ws://a/",
    verbose: false,
    options: { only: ["a"], timeoutMs: 500 },
  });
  assert.equal(typeof parseSuiteArguments(["ws://a/", "--only="]), "string");
  // URLs the WebSocket constructor refuses are bad arguments, not unreachable servers.
  for (const bad of ["ws://a/#x", "ws://a/#", "ws://[", "ws://a:99999/"]) {
    assert.match(String(parseSuiteArguments([bad])), /^(not a URL|a WebSocket URL has no)/, bad);
  }
});

function runScript(args: string[]): Promise<{ code: number | null; lines: string[] }> {
  const script = fileURLToPath(new URL("./run_server_suite.ts", import.meta.url));
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", script] : ["run", script];
  // Asynchronous on purpose: the server under test runs in this process's event loop.
  const child = spawn(process.execPath, [...runtimeArgs, ...args], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => output += chunk);
  child.stderr.on("data", (chunk) => output += chunk);
  return new Promise((resolve) => {
    child.on("close", (code) => resolve({ code, lines: output.trimEnd().split("\n") }));
  });
}

test("the script prints one line per check and the totals, with its exit codes", async () => {
  await withServer(conformanceService(), async (running) => {
    const ok = await runScript([running.url, "--only", "accept-conf,sleep-does-not-block"]);
    assert.deepEqual(ok.lines, [
      "PASS accept-conf",
      "INFO sleep-does-not-block: yes, the echo was answered while sleep 500 was running",
      "1 passed, 0 failed",
    ]);
    assert.equal(ok.code, 0);
  });
  const conf = new Uint8Array([23, 1, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]);
  await withFakeServer(conf, async (url) => {
    const bad = await runScript([url, "--only", "accept-conf", "--timeout", "500"]);
    assert.deepEqual(bad.lines, [
      "FAIL accept-conf: protocol version 1.0, expected 2.x",
      "0 passed, 1 failed",
    ]);
    assert.equal(bad.code, 1);
  });
  const unreachable = await runScript(["ws://127.0.0.1:1/", "--timeout", "500"]);
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.lines.join("\n"), /cannot reach a WebSocket server/);
});

for (const adapter of adaptersOfThisRuntime.filter((a) => a !== "runtime")) {
  test(`every check passes against our server on the ${adapter} adapter`, async () => {
    await withServer({ ...conformanceService(), adapter }, async (running) => {
      const report = await runServerSuite(running.url, { timeoutMs: 2000 });
      assertAllPassed(report);
    });
  });
}

test("echo-buffer-size says what it tried: the advertised size, or 1 MiB above that", async () => {
  const cases: [number, RegExp][] = [[4096, /exactly the advertised/], [3 << 20, /a 1 MiB/]];
  for (const [messageBufferSize, said] of cases) {
    await withServer({ ...conformanceService(), messageBufferSize }, async (running) => {
      const report = await runServerSuite(running.url, { only: ["echo-buffer-size"] });
      const check = result(report, "echo-buffer-size");
      assert.equal(check.passed, true, check.detail);
      assert.match(check.detail, said);
    });
  }
});

/** An accept-conf of version 2.0 with this read timeout and an 8 KiB buffer. */
const acceptConfWith = (readTimeoutMs: number): Uint8Array =>
  encodeAcceptConf({ major: 2, minor: 0, readTimeoutMs, messageBufferSize: 8192 });

test("a server that answers an id twice fails reply-ids and concurrent-requests", async () => {
  const answerTwice = (socket: WebSocket) =>
    socket.on("message", (data: Uint8Array) => {
      const message = decodeMessage(new Uint8Array(data));
      if (message.kind !== "request") return;
      const reply = encodeReply({
        id: message.id.slice(),
        payload: message.payload.slice(),
        encoding: message.encoding,
      });
      socket.send(reply); // right, then the same reply again a little later
      setTimeout(() => socket.readyState === socket.OPEN && socket.send(reply), 50);
    });
  await withFakeServer(acceptConfWith(60_000), async (url) => {
    const only = ["reply-ids", "concurrent-requests"];
    const report = await runServerSuite(url, { timeoutMs: 1000, only });
    for (const name of only) {
      assert.match(result(report, name).detail, /a message after every id was answered: /, name);
    }
  }, answerTwice);
});

test("a server that ignores malformed messages and closes idle connections fails", async () => {
  // Nothing is answered or refused: the connection ends at its read timeout only, counted from
  // the last frame read, as servers count it (a little late: a timer may fire early).
  const closeWhenIdle = (socket: WebSocket) => {
    const closeIdle = () => socket.close(1000, "read timeout");
    let idle = setTimeout(closeIdle, 1100);
    socket.on("message", () => {
      clearTimeout(idle);
      idle = setTimeout(closeIdle, 1100);
    });
    socket.on("close", () => clearTimeout(idle));
  };
  await withFakeServer(acceptConfWith(1000), async (url) => {
    const only = ["malformed-empty-frame", "malformed-text-frame"];
    const report = await runServerSuite(url, { timeoutMs: 2000, only });
    for (const name of only) {
      assert.match(
        result(report, name).detail,
        /closed \d+ ms after an? .+, not before its read timeout \(1000 ms\)/,
        name,
      );
    }
  }, closeWhenIdle);
});

test("a server that reads a UTF-16 request's payload without skipping its padding fails", async () => {
  // Type 129: type, id, name length, name, then (for an odd name) the padding byte, which this
  // server takes for the payload's first byte; it replies with the text it read.
  const noPadding = (socket: WebSocket) =>
    socket.on("message", (data: Uint8Array) => {
      const bytes = new Uint8Array(data);
      if (bytes[0] !== 129) return;
      const read = new TextDecoder("utf-16le").decode(bytes.subarray(10 + bytes[9]));
      const text = /^\d+$/.test(read) ? "slept" : `not a number: ${read}`;
      socket.send(encodeReply({ id: bytes.slice(1, 9), payload: text })); // UTF-8
    });
  await withFakeServer(acceptConfWith(60_000), async (url) => {
    const report = await runServerSuite(url, { timeoutMs: 1000, only: ["odd-name-utf16"] });
    assert.equal(report.failed, 1);
    assert.match(result(report, "odd-name-utf16").detail, /differs from/);
  }, noPadding);
});
