// Listeners of the connection events may call connect() and close(): a connect() from a
// `connecting` listener joins the attempt under way, one from a `connectfailed` listener starts
// the next attempt, a close() from a `connecting` listener ends the attempt and leaves nothing
// open. And a server that accepts and drops every connection at once is retried under a growing
// backoff, not hammered. Real sockets on 127.0.0.1.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { DisconnectedError } from "./errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { stablePort } from "../testing/stable_port.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Client: connect() and close() from event listeners", () => {
  test("connect() in a connecting listener joins the attempt under way", async () => {
    const running = await startServer({ onRequest: (request) => request.payload });
    const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
    let connecting = 0;
    let connected = 0;
    const joined: Promise<void>[] = [];
    client.addEventListener("connecting", () => {
      connecting++;
      joined.push(client.connect());
    });
    client.addEventListener("connected", () => connected++);
    try {
      await client.connect();
      await Promise.all(joined);
      await sleep(100);
      assert.deepEqual([connecting, connected], [1, 1]);
      assert.equal(running.server.connectionCount, 1, "one socket");
    } finally {
      await client.close();
    }
    await until(() => running.server.connectionCount === 0, "nothing left open by the client");
    await running.close();
  });

  test("connect() in a connectfailed listener starts the next attempt", async () => {
    const port = await stablePort(); // nothing listens there: the first attempt is refused
    const client = new Client(`ws://127.0.0.1:${port}/`, {
      logger: silentLogger,
      reconnect: { initialDelay: 20, maxDelay: 50 },
    });
    let failures = 0;
    let running: Awaited<ReturnType<typeof startServer>> | undefined;
    client.addEventListener("connectfailed", () => {
      if (failures++ === 0) client.connect().catch(() => {});
    });
    try {
      await assert.rejects(client.connect(), DisconnectedError);
      await until(() => failures >= 2, "the listener's attempt ran and failed too");
      running = await startServer({ port, onRequest: (request) => request.payload });
      await until(() => client.status === "connected", "retries went on and connected", 5000);
      assert.equal((await client.request("echo", "hi")).text(), "hi");
    } finally {
      await client.close();
      await running?.close();
    }
  });

  test("close() in a connecting listener ends the attempt and leaves no socket open", async () => {
    let opened = 0;
    const peer = await startScriptedPeer({
      onOpen: (socket) => (opened++, socket.send(acceptConf())),
    });
    const client = new Client(peer.url, { logger: silentLogger });
    client.addEventListener("connecting", () => void client.close(), { once: true });
    try {
      await assert.rejects(client.connect(), DisconnectedError);
      await sleep(300);
      assert.equal(client.status, "closed");
      assert.equal(opened, 0, "the dial was never made");
    } finally {
      await peer.close();
    }
  });
});

test("Client: a server that drops each connection at once is retried under a growing backoff", async () => {
  let opens = 0;
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      opens++;
      socket.send(acceptConf());
      setTimeout(() => socket.close(1011, "overloaded"), 10);
    },
  });
  // Caps 20, 40, 80, 160, 320, 640 ms...: in 1.2 s at most about 7 retries with a growing
  // delay; reset after each short connection, it would be one every 0 to 20 ms (dozens).
  const client = new Client(peer.url, {
    logger: silentLogger,
    reconnect: { initialDelay: 20, maxDelay: 5000 },
  });
  try {
    await client.connect();
    await sleep(1200);
    assert.ok(opens >= 3, `it did retry (${opens} connections)`);
    assert.ok(opens <= 15, `the delays grew: ${opens} connections in 1.2 s`);
  } finally {
    await client.close();
    await peer.close();
  }
});
