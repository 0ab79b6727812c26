// Reconnection is visible: an event for each connect attempt and each failure (attempt number,
// delay until the next attempt, cause), `disconnected` with the close code and reason, and
// requests that could not be sent say so.
import { rejectsAtOnce } from "../testing/at_once.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { type StartOptions, startServer } from "../testing/serve.ts";
import { nextEvent, testRequestHandler, waitFor } from "../testing/client_support.ts";
import { Client } from "./client.ts";
import { ConnectionFailedError, DisconnectedError, NotSentError, TimeoutError } from "./errors.ts";
import type { ConnectAttempt, ConnectFailure } from "./events.ts";
import { stablePort } from "../testing/stable_port.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";

const serverOptions: StartOptions = { onRequest: testRequestHandler, logger: silentLogger };

describe("Client reconnection events", () => {
  it("fires connecting and connectfailed for every attempt, then connected", async () => {
    const port = await stablePort();
    const attempts: ConnectAttempt[] = [];
    const failures: ConnectFailure[] = [];
    const client = new Client(`ws://127.0.0.1:${port}/`, {
      logger: silentLogger,
      reconnect: { initialDelay: 20, factor: 2, maxDelay: 40 },
      onConnectFailed: (failure) => failures.push(failure),
    });
    client.addEventListener("connecting", (event) => attempts.push(event.detail));
    const first = await client.connect().catch((e) => e);
    assert.ok(first instanceof ConnectionFailedError, String(first));
    assert.equal(client.status, "connecting"); // retrying in the background
    await waitFor(() => failures.length >= 3);
    assert.deepEqual(attempts.slice(0, 3).map((a) => a.attempt), [1, 2, 3]);
    assert.deepEqual(failures.slice(0, 3).map((f) => f.attempt), [1, 2, 3]);
    assert.equal(failures[0].error, first);
    for (const failure of failures) {
      assert.ok(failure.error instanceof ConnectionFailedError);
      assert.equal(typeof failure.retryDelay, "number");
      assert.ok(failure.retryDelay! >= 0 && failure.retryDelay! <= 40, String(failure.retryDelay));
    }
    const connected = nextEvent(client, "connected");
    const running = await startServer({ ...serverOptions, port });
    await connected;
    const lastAttempt = attempts.at(-1)!.attempt;
    assert.equal(lastAttempt, failures.at(-1)!.attempt + 1);
    await client.close();
    await running.close();
  });

  it("without autoconnect: one attempt, connectfailed with no retry, status disconnected", async () => {
    const client = new Client(`ws://127.0.0.1:${await stablePort()}/`, {
      logger: silentLogger,
      autoconnect: false,
    });
    const failed = nextEvent(client, "connectfailed");
    await client.connect().catch(() => {});
    const failure = (await failed).detail;
    assert.equal(failure.attempt, 1);
    assert.equal(failure.retryDelay, null);
    assert.equal(client.status, "disconnected");
    await client.close();
  });

  it("a request never sent fails with NotSentError (a TimeoutError) naming the last failure", async () => {
    const client = new Client(`ws://127.0.0.1:${await stablePort()}/`, {
      logger: silentLogger,
      reconnect: { initialDelay: 20, maxDelay: 40 },
    });
    const error = await client.request("echo", "x", { timeout: 200 }).catch((e) => e);
    assert.ok(error instanceof NotSentError, String(error));
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /^the request was never sent: not connected within 200 ms/);
    assert.ok(error.cause instanceof ConnectionFailedError, String(error.cause));
    await client.close();
  });

  it("waitForConnection: false fails at once while not connected (client and request option)", async () => {
    const port = await stablePort();
    const client = new Client(`ws://127.0.0.1:${port}/`, {
      logger: silentLogger,
      waitForConnection: false,
      reconnect: { initialDelay: 20, maxDelay: 40 },
    });
    // At once: before any timer, so without waiting for a connection attempt or a retry.
    const error = await rejectsAtOnce(client.request("echo", "x"));
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.match(error.message, /not sent/);
    // It still connects in the background; once connected, requests go out.
    const running = await startServer({ ...serverOptions, port });
    await waitFor(() => client.status === "connected");
    assert.equal((await client.request("echo", "now")).text(), "now");
    await client.close();

    const waiting = new Client(running.url, { logger: silentLogger, autoconnect: false });
    const refused = await waiting.request("echo", "x", { waitForConnection: false })
      .catch((e) => e);
    assert.ok(refused instanceof DisconnectedError);
    await waiting.close();
    await running.close();
  });

  it("disconnected carries the close code and reason of the server", async () => {
    const running = await startServer(serverOptions);
    const client = new Client(running.url, { logger: silentLogger, autoconnect: false });
    await client.connect();
    const disconnected = nextEvent(client, "disconnected");
    await running.close(); // a graceful shutdown closes every socket with 1001
    const reason = (await disconnected).detail;
    assert.ok(reason instanceof DisconnectedError);
    assert.equal(reason.code, 1001, `${reason.message} ${reason.code}`);
    await client.close();
  });

  it("a request made in a disconnected listener waits for the backoff's retry", async () => {
    // A server that drops every connection is what the backoff is for: a listener that queues
    // a request (say, a resync for when it is back) must not make the client dial at once.
    let opened = 0;
    const peer = await startScriptedPeer({
      onOpen: (socket) => {
        opened++;
        socket.send(acceptConf());
        setTimeout(() => socket.close(1011, "overloaded"), 5);
      },
    });
    const client = new Client(peer.url, {
      logger: silentLogger,
      reconnect: { initialDelay: 60_000, factor: 1, maxDelay: 60_000 },
    });
    let resync: Promise<unknown> | undefined;
    client.addEventListener("disconnected", () => {
      resync ??= client.request("resync").catch((error: unknown) => error);
    });
    const random = Math.random;
    Math.random = () => 0.5; // the retry comes after 30 s
    try {
      await client.connect();
      await waitFor(() => resync !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(opened, 1, "no connection before the retry");
      assert.equal(client.status, "connecting");
      assert.equal(client.pendingRequests, 1);
    } finally {
      Math.random = random;
      await client.close();
      await peer.close();
    }
    assert.ok((await resync) instanceof DisconnectedError);
  });
});
