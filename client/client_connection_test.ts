import { rejectsAtOnce } from "../testing/at_once.ts";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import { DialTimeoutError, DisconnectedError, TimeoutError } from "./errors.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { delay, nextEvent, testRequestHandler, waitFor } from "../testing/client_support.ts";
import { stablePort } from "../testing/stable_port.ts";

const serverOptions: StartOptions = { onRequest: testRequestHandler, logger: silentLogger };

describe("Client connection maintenance", () => {
  it("reconnects with backoff when the server goes away and comes back on the same port", async () => {
    const port = await stablePort(); // taken again after the server went away
    let running = await startServer({ ...serverOptions, port });
    const disconnects: DisconnectedError[] = [];
    let connects = 0;
    const client = new Client(running.url, {
      logger: silentLogger,
      reconnect: { initialDelay: 20, factor: 2, maxDelay: 80 },
      onDisconnected: (reason) => disconnects.push(reason),
      onConnected: () => connects++,
    });
    await client.connect();
    assert.equal(connects, 1);

    const disconnected = nextEvent(client, "disconnected");
    await running.close();
    await disconnected;
    assert.equal(disconnects.length, 1);
    assert.ok(disconnects[0] instanceof DisconnectedError);
    await waitFor(() => client.status === "connecting");

    assert.throws(() => client.signal("while down"), DisconnectedError);
    const waiting = client.request("echo", "queued while down");
    assert.equal(client.pendingRequests, 1);
    await delay(150); // several attempts fail meanwhile (connection refused)
    assert.equal(client.status, "connecting");

    const reconnected = nextEvent(client, "connected");
    running = await startServer({ ...serverOptions, port });
    assert.equal((await waiting).text(), "queued while down");
    await reconnected;
    assert.equal(client.status, "connected");
    assert.equal(connects, 2);
    assert.equal((await client.request("echo", "after")).text(), "after");
    await client.close();
    await running.close();
  });

  it("rejects the requests of a connection that drops with DisconnectedError", async () => {
    // A peer that answers the first request and drops the connection on the second.
    let requests = 0;
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] < 127) return;
        if (++requests === 1) socket.send(encodeReply({ id: data.subarray(1, 9), payload: "one" }));
        else socket.close(1000, "bye");
      },
    });
    const client = new Client(peer.url, { logger: silentLogger, autoconnect: false });
    await client.connect();
    assert.equal((await client.request("first")).text(), "one");
    const disconnected = nextEvent(client, "disconnected");
    const error = await client.request("second").catch((e) => e);
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.equal(error.code, 1000);
    assert.equal(error.reason, "bye");
    assert.equal((await disconnected).detail, error);
    assert.equal(client.pendingRequests, 0);
    assert.equal(client.status, "disconnected");
    await client.close();
    await peer.close();
  });

  it("with autoconnect off, stays disconnected and fails requests and signals at once", async () => {
    const running = await startServer({ ...serverOptions, readTimeout: 1000 });
    const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
    await assert.rejects(client.request("echo", "x"), DisconnectedError);
    assert.equal(client.status, "disconnected");
    await client.connect();
    const disconnected = nextEvent(client, "disconnected");
    await running.close();
    const event = await disconnected;
    assert.equal(event.detail.code, 1001);
    assert.equal(client.status, "disconnected");
    await delay(50);
    assert.equal(client.status, "disconnected");
    const error = await rejectsAtOnce(client.request("echo", "x"));
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.throws(() => client.signal("x"), DisconnectedError);
    await client.close();
  });

  it("lets requests wait for a connection up to their timeout while no server is up", async () => {
    const port = await stablePort();
    const client = new Client(`ws://127.0.0.1:${port}/`, {
      logger: silentLogger,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    const started = Date.now();
    const error = await client.request("echo", "x", { timeout: 150 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.ok(Date.now() - started >= 140);
    assert.equal(client.status, "connecting");
    assert.equal(client.pendingRequests, 0);
    await client.close();
    assert.equal(client.status, "closed");
  });

  it("rejects connect() when the connection is refused", async () => {
    const port = await stablePort();
    const client = new Client(`ws://127.0.0.1:${port}/`, {
      logger: silentLogger,
      autoconnect: false,
    });
    await assert.rejects(client.connect(), DisconnectedError);
    assert.equal(client.status, "disconnected");
    await client.close();
  });

  it("rejects connect() with DialTimeoutError when no accept-conf comes in time", async () => {
    const peer = await startScriptedPeer({}); // upgrades, then stays silent
    const client = new Client(peer.url, {
      logger: silentLogger,
      autoconnect: false,
      dialTimeout: 100,
    });
    const lateness = LoopLateness.start();
    const started = Date.now();
    const error = await client.connect().catch((e) => e);
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    assert.ok(error instanceof DialTimeoutError, String(error));
    assert.equal(error.timeout, 100);
    assert.ok(elapsed < 1000 + late, `${elapsed} ms (event loop ${Math.round(late)} ms late)`);
    assert.equal(client.status, "disconnected");
    await client.close();
    await peer.close();
  });

  it("keeps an idle connection alive past the server's read timeout with heartbeats", async () => {
    const running = await startServer({ ...serverOptions, readTimeout: 1000 });
    const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
    let dropped = false;
    client.addEventListener("disconnected", () => dropped = true);
    await client.connect();

    // Control: a socket that sends nothing is dropped by the server after its read timeout.
    const silent = new WebSocket(running.url);
    const silentClosed = new Promise<number>((resolve) => {
      silent.onclose = () => resolve(Date.now());
    });
    const silentOpened = Date.now();
    const lateness = LoopLateness.start();

    await delay(2500);
    assert.equal(dropped, false);
    assert.equal(client.status, "connected");
    const silentClosedAt = await Promise.race([
      silentClosed,
      delay(100 + lateness.total).then(() => -1),
    ]);
    const late = lateness.stop();
    assert.ok(silentClosedAt > 0, "the server should have dropped the silent socket");
    assert.ok(
      silentClosedAt - silentOpened < 2400 + late,
      `dropped after ${silentClosedAt - silentOpened} ms (event loop ${Math.round(late)} ms late)`,
    );
    assert.equal((await client.request("echo", "still here")).text(), "still here");
    await client.close();
    await running.close();
  });
});
