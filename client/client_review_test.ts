import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { delay, nextEvent, recordingLogger } from "../testing/client_support.ts";
import { recordingTimers } from "../testing/recording_timers.ts";

const maxTimerDelay = 2 ** 31 - 1;

describe("Client review: replies and timers", () => {
  it("rejects with a RequestError when the error code is not printable ASCII", async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] < 127) return;
        // Error reply: code "é\x01" (Latin-1 bytes), message "bad".
        socket.send(new Uint8Array([0, ...data.subarray(1, 9), 2, 0xe9, 0x01, 0x62, 0x61, 0x64]));
      },
    });
    const { logger } = recordingLogger();
    const client = new Client(peer.url, { logger, requestTimeout: 1000 });
    try {
      await client.connect();
      const error = await client.request("x").then(() => null, (error) => error);
      assert.ok(error instanceof RequestError, `expected a RequestError, got ${error}`);
      assert.equal(error.code, "\u00e9\u0001");
      assert.equal(error.message, "bad");
      assert.equal(client.pendingRequests, 0);
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("honours a request timeout longer than the timers' 2^31 - 1 ms", async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] < 127) return;
        const reply = new Uint8Array([191, ...data.subarray(1, 9), 0x6f, 0x6b]);
        setTimeout(() => socket.send(reply), 50);
      },
    });
    const client = new Client(peer.url, { requestTimeout: 3_000_000_000 });
    try {
      await client.connect();
      const reply = await client.request("x");
      assert.equal(reply.text(), "ok");
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("does not spin its heartbeat timer when the server's read timeout is huge", async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf({ readTimeoutMs: 0xffffffff })),
    });
    const client = new Client(peer.url);
    try {
      await recordingTimers(async (delays) => {
        await client.connect();
        await delay(100);
        const tooLong = delays.filter((ms) => ms > maxTimerDelay);
        assert.deepEqual(tooLong, [], "timers longer than 2^31 - 1 ms fire at once");
        // A timer that spins sets the same delay over and over; other timers of the process
        // (the peer's, the test runner's) may come and go meanwhile.
        const sameDelay = new Map<number, number>();
        for (const ms of delays) sameDelay.set(ms, (sameDelay.get(ms) ?? 0) + 1);
        const most = Math.max(0, ...sameDelay.values());
        assert.ok(most < 10, `${most} timers of one delay set in 100 ms of idling`);
      });
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("restores a stored session after the connection drops during its first restore", async () => {
    const key = "k".repeat(64);
    let restores = 0;
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] !== 32) return;
        // The first restore is lost with its connection; the second one succeeds.
        if (++restores === 1) return socket.close(1000, "going away");
        const json = `{"k":"${key}","c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}`;
        socket.send(encodeReply({ id: data.slice(1, 9), payload: json }));
      },
    });
    const { logger } = recordingLogger();
    const client = new Client(peer.url, {
      logger,
      sessionStorage: memorySessionStorage(key),
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    try {
      const created = nextEvent(client, "sessioncreated", 1000);
      await client.connect().catch(() => {});
      assert.equal((await created).detail.key, key);
      assert.equal(client.session?.key, key);
      assert.equal(restores, 2);
    } finally {
      await client.close();
      await peer.close();
    }
  });
});
