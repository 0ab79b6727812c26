import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { decodeText } from "../protocol/mod.ts";
import { encodeRestoreSession, requestIdFromNumber } from "../protocol/mod.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { adaptersOfThisRuntime, type StartOptions, startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame } from "../testing/ws_frame.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

/** A server where `login` creates a session, with a send buffer of 256 KiB. */
function service(adapter: StartOptions["adapter"], left: DisconnectReason[]): StartOptions {
  return {
    adapter,
    logger: silentLogger,
    maxSendBuffer: 256 * 1024,
    sendHighWaterMark: 64 * 1024,
    onClientDisconnected: (_connection, reason) => void left.push(reason),
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  };
}

/** Logs a client in and out again; resolves to its session key. */
async function sessionLeftOffline(url: string, server: { activeSessionsCount: number }) {
  const client = await RawClient.handshake(url);
  const { key } = await rawLogin(client, "ada");
  client.close();
  await until(() => server.activeSessionsCount === 0, "ada left");
  return key;
}

for (const adapter of adaptersOfThisRuntime) {
  test(`signals kept past maxSendBuffer reach a client that reads them, in order (${adapter})`, async () => {
    const left: DisconnectReason[] = [];
    const running = await startServer(service(adapter, left));
    try {
      const key = await sessionLeftOffline(running.url, running.server);
      left.length = 0;
      // 200 × 2 000 bytes: 400 KB kept (under the 1 MiB per session), over the send buffer.
      for (let i = 0; i < 200; i++) {
        assert.equal(running.server.signalSession(key, "n", `${i} `.padEnd(2000, "z")), 0);
      }
      const client = await RawClient.handshake(running.url);
      assert.equal(await rawRestore(client, key), "reply");
      for (let i = 0; i < 200; i++) {
        const signal = await client.next();
        assert.equal(signal.kind, "signal", `signal ${i}`);
        if (signal.kind !== "signal") return;
        assert.equal(decodeText(signal.payload, signal.encoding).split(" ")[0], `${i}`);
      }
      assert.ok(await client.silentFor(50));
      assert.deepEqual(left, [], "the reading client stays connected");
      client.close();
    } finally {
      await running.close();
    }
  });

  test(`pushes held back while a client does not read its kept signals are bounded (${adapter})`, async () => {
    const left: DisconnectReason[] = [];
    // More kept than the kernel's socket buffers take: the replay waits for the client.
    const running = await startServer({
      ...service(adapter, left),
      offlineSignals: { maxBytes: 32 * 1024 * 1024, maxCount: 10_000 },
    });
    const reader = await TcpClient.connect(running.url);
    try {
      const key = await sessionLeftOffline(running.url, running.server);
      left.length = 0;
      for (let i = 0; i < 8000; i++) running.server.signalSession(key, "n", "z".repeat(2000));
      await reader.next(); // accept-conf
      reader.stopReading();
      reader.write(maskedFrame(encodeRestoreSession(requestIdFromNumber(1), key)));
      await until(() => running.server.activeSessionsCount === 1, "restored");
      // The replay waits for the client; pushes to the session wait behind it, up to the limit.
      const push = "p".repeat(16 * 1024);
      for (let i = 0; i < 64 && left.length === 0; i++) {
        running.server.signalSession(key, "live", push);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await until(() => left.length === 1, "closed as a slow reader");
      assert.equal(left[0].kind, "slow-reader");
      assert.match(left[0].message, /held back/);
    } finally {
      reader.destroy();
      await running.close();
    }
  });
}
