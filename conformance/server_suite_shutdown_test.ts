// The live server suite's graceful-shutdown check: it passes against our server on every
// adapter, is skipped without a shutdown hook, and fails against servers that shut down
// wrongly on purpose (closing before a running handler ends, answering new requests, handling
// new signals, upgrading new connections).

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
// @ts-types="npm:@types/ws@^8.18.1"
import { type WebSocket, WebSocketServer } from "ws";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { formatResult, runServerSuite, type SuiteReport } from "./server_suite.ts";
import { conformanceService } from "./service.ts";

const only = ["graceful-shutdown"];

for (const adapter of adaptersOfThisRuntime) {
  test(`graceful-shutdown passes against our server on the ${adapter} adapter`, async () => {
    const running = await startServer({ logger: silentLogger, ...conformanceService(), adapter });
    let shuttingDown: Promise<void> | undefined;
    try {
      const report = await runServerSuite(running.url, {
        timeoutMs: 1000,
        only,
        shutdown: () => void (shuttingDown = running.server.shutdown()),
      });
      const check = report.results[0];
      assert.equal(check.passed, true, check.detail);
      assert.match(check.detail, /503 .* closed \d+ ms after sleep 500 began, with its reply/);
      assert.equal(report.passed, 1);
      await shuttingDown;
    } finally {
      await running.close();
    }
  });
}

test("graceful-shutdown is skipped without a shutdown hook", async () => {
  const running = await startServer({ logger: silentLogger, ...conformanceService() });
  try {
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    assert.deepEqual([report.passed, report.failed, report.skipped], [0, 0, 1]);
    assert.equal(
      formatResult(report.results[0]),
      "SKIP graceful-shutdown: not checked: the suite was given no way to shut the server down",
    );
  } finally {
    await running.close();
  }
});

test("a server whose shutdown does not wait for running handlers fails", async () => {
  const running = await startServer({ logger: silentLogger, ...conformanceService() });
  try {
    const report = await runServerSuite(running.url, {
      timeoutMs: 1000,
      only,
      shutdown: () => void running.server.shutdown({ timeout: 0 }),
    });
    assert.match(
      report.results[0].detail,
      /closed \d+ ms after sleep 500 was sent: before its handler had finished/,
    );
  } finally {
    await running.close();
  }
});

/** How a fake server goes wrong during its shutdown. */
type Fault = "none" | "upgrades" | "answers" | "signals";

/**
 * A fake server (echo, echo-signal and sleep) whose shutdown is right but for `fault`: it
 * refuses upgrades with 503, answers new requests with type 1, drops signals, and closes each
 * connection once its sleeps have ended.
 */
async function suiteAgainstFake(fault: Fault): Promise<SuiteReport> {
  let shuttingDown = false;
  const sockets = new Map<WebSocket, Set<Promise<void>>>();
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((_, response) => response.writeHead(426).end());
  http.on("upgrade", (request, socket, head) => {
    if (shuttingDown && fault !== "upgrades") {
      return socket.end("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
    }
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws));
  });
  const serve = (ws: WebSocket) => {
    const sleeps = new Set<Promise<void>>();
    sockets.set(ws, sleeps);
    ws.send(
      encodeAcceptConf({ major: 2, minor: 0, readTimeoutMs: 60_000, messageBufferSize: 8192 }),
    );
    ws.on("message", (data: Uint8Array) => {
      const message = decodeMessage(new Uint8Array(data));
      if (message.kind === "signal" && (!shuttingDown || fault === "signals")) {
        const { nameText: name, encoding } = message;
        ws.send(encodeSignal({ name, payload: message.payload.slice(), encoding }));
      }
      if (message.kind !== "request") return;
      const id = message.id.slice();
      if (shuttingDown && fault !== "answers") return ws.send(new Uint8Array([1, ...id]));
      if (message.nameText !== "sleep") {
        const { payload, encoding } = message;
        return ws.send(encodeReply({ id, payload: payload.slice(), encoding }));
      }
      const ms = Number(new TextDecoder().decode(message.payload));
      const sleep = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => {
        ws.send(encodeReply({ id, payload: "slept" }));
        sleeps.delete(sleep);
      });
      sleeps.add(sleep);
    });
  };
  const shutdown = () => {
    shuttingDown = true;
    for (const [ws, sleeps] of sockets) void Promise.all(sleeps).then(() => ws.close(1001));
  };
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  try {
    return await runServerSuite(`ws://127.0.0.1:${port}/`, { timeoutMs: 1000, only, shutdown });
  } finally {
    for (const ws of sockets.keys()) ws.terminate();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
}

test("a fake server that shuts down as the protocol says passes the check", async () => {
  // The control for the broken fakes below: each differs from it in one fault only.
  const report = await suiteAgainstFake("none");
  assert.equal(report.results[0].passed, true, report.results[0].detail);
});

test("a server that upgrades new connections during the shutdown fails", async () => {
  const report = await suiteAgainstFake("upgrades");
  assert.match(
    report.results[0].detail,
    /a new connection during the shutdown got .*, expected 503/,
  );
});

test("a server that answers new requests during the shutdown fails", async () => {
  const report = await suiteAgainstFake("answers");
  assert.match(
    report.results[0].detail,
    /the request sent during the shutdown was answered with reply \(type 192\), not the shutdown/,
  );
});

test("a server that handles new signals during the shutdown fails", async () => {
  const report = await suiteAgainstFake("signals");
  assert.match(
    report.results[0].detail,
    /a signal sent during the shutdown was handled: signal \(type 64\)/,
  );
});
