// The live server suite's read-timeout checks: they pass against our server on every adapter
// when its read timeout fits in a step, are skipped (and say how to run them) when it does not,
// and fail against servers that get the read timeout wrong on purpose.

import assert from "node:assert/strict";
import { test } from "node:test";
// @ts-types="npm:@types/ws@^8.18.1"
import { type WebSocket, WebSocketServer } from "ws";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { formatResult, runServerSuite, type SuiteReport } from "./server_suite.ts";
import { conformanceService } from "./service.ts";

const only = ["read-timeout-idle", "read-timeout-heartbeat"];

function result(report: SuiteReport, name: string) {
  const found = report.results.find((r) => r.name === name);
  assert.ok(found, `no result for ${name}`);
  return found;
}

for (const adapter of adaptersOfThisRuntime) {
  test(`the read-timeout checks pass against our server on the ${adapter} adapter`, async () => {
    const running = await startServer({
      logger: silentLogger,
      ...conformanceService(),
      adapter,
      // Not the 1 s minimum: heartbeats every 1125 ms leave 375 ms for a late timer.
      readTimeout: 1500,
    });
    try {
      const report = await runServerSuite(running.url, { timeoutMs: 2000, only });
      for (const name of only) {
        const check = result(report, name);
        assert.equal(check.passed, true, `${name}: ${check.detail}`);
        assert.equal(check.skipped, undefined, name);
      }
      assert.match(result(report, "read-timeout-idle").detail, /closed .* (\d+) ms after it/);
      assert.equal(report.passed, 2);
    } finally {
      await running.close();
    }
  });
}

test("the read-timeout checks are skipped when the read timeout is over a step", async () => {
  const running = await startServer({ logger: silentLogger, ...conformanceService() });
  try {
    const report = await runServerSuite(running.url, { timeoutMs: 2000, only });
    assert.deepEqual([report.passed, report.failed, report.skipped], [0, 0, 2]);
    for (const name of only) {
      const check = result(report, name);
      assert.equal(check.skipped, true);
      assert.equal(
        formatResult(check),
        `SKIP ${name}: not checked: the read timeout (60000 ms) is longer than a step ` +
          `(2000 ms); run with a step timeout of 60000 ms or more`,
      );
    }
  } finally {
    await running.close();
  }
});

/**
 * A fake server announcing a read timeout of 1000 ms: it echoes requests and ignores anything
 * else, and `policy` decides when it closes a connection.
 */
async function suiteAgainstFake(
  policy: (socket: WebSocket) => void,
): Promise<SuiteReport> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  wss.on("connection", (socket) => {
    const conf = { major: 2, minor: 0, readTimeoutMs: 1000, messageBufferSize: 8192 };
    socket.send(encodeAcceptConf(conf));
    policy(socket);
    socket.on("message", (data: Uint8Array) => {
      const message = decodeMessage(new Uint8Array(data));
      if (message.kind !== "request") return;
      const { id, payload, encoding } = message;
      socket.send(encodeReply({ id: id.slice(), payload: payload.slice(), encoding }));
    });
  });
  const address = wss.address();
  assert.ok(typeof address === "object" && address !== null);
  try {
    return await runServerSuite(`ws://127.0.0.1:${address.port}/`, { timeoutMs: 1000, only });
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
}

/** Closes the socket once it has read nothing for `ms`, counting only frames `counts` takes. */
function closeWhenIdle(ms: number, counts: (bytes: Uint8Array) => boolean = () => true) {
  return (socket: WebSocket) => {
    const closeIdle = () => socket.close(1000, "read timeout");
    let idle = setTimeout(closeIdle, ms);
    socket.on("message", (data: Uint8Array) => {
      if (!counts(new Uint8Array(data))) return;
      clearTimeout(idle);
      idle = setTimeout(closeIdle, ms);
    });
    socket.on("close", () => clearTimeout(idle));
  };
}

test("a server that never closes a silent connection fails read-timeout-idle", async () => {
  const report = await suiteAgainstFake(() => {});
  assert.match(
    result(report, "read-timeout-idle").detail,
    /still open \d+ ms after it opened, though it sent nothing and the read timeout is 1000 ms/,
  );
  assert.equal(result(report, "read-timeout-heartbeat").passed, true);
  assert.equal(report.failed, 1);
});

test("a server that closes before the read timeout it announces fails both", async () => {
  const report = await suiteAgainstFake(closeWhenIdle(600));
  assert.match(
    result(report, "read-timeout-idle").detail,
    /closed with code 1000 \d+ ms after it opened, before its read timeout \(1000 ms\) had passed/,
  );
  assert.match(
    result(report, "read-timeout-heartbeat").detail,
    /closed with code 1000 \d+ ms after it opened, though it sent no heartbeat yet/,
  );
  assert.equal(report.failed, 2);
});

test("a server that does not count heartbeats as reads fails read-timeout-heartbeat", async () => {
  const report = await suiteAgainstFake(closeWhenIdle(1000, (bytes) => bytes[0] !== 33));
  assert.equal(result(report, "read-timeout-idle").passed, true);
  assert.match(
    result(report, "read-timeout-heartbeat").detail,
    new RegExp(
      String.raw`closed with code 1000 \d+ ms after it opened, though it sent 1 heartbeat\(s\) ` +
        String.raw`at 750 ms intervals \(read timeout 1000 ms\): a heartbeat is a read`,
    ),
  );
  assert.equal(report.failed, 1);
});

test("a slow server with a short read timeout passes: the suite's connections send heartbeats", async () => {
  // 900 ms per request, read timeout 1 s: session-close-shared keeps its second connection
  // silent (a whoami on the first connection, then 200 ms of listening) for longer than the
  // read timeout; without heartbeats of the suite the server rightly closes it.
  const service = conformanceService();
  const running = await startServer({
    logger: silentLogger,
    ...service,
    onRequest: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 900));
      return service.onRequest!(request);
    },
    readTimeout: 1000,
  });
  try {
    const checks = ["session-close-shared", "session-restore", "session-logout"];
    const report = await runServerSuite(running.url, { timeoutMs: 2000, only: checks });
    for (const name of checks) {
      const check = result(report, name);
      assert.equal(check.passed, true, `${name}: ${check.detail}`);
    }
  } finally {
    await running.close();
  }
});
