// shouldRetry stops the automatic retries where the application knows they cannot help: a token
// the server refuses (401), a connection the server kicked (close code 4001). The client then
// stays disconnected, as after a handshake error, until connect() or a request dials again.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { delay, nextEvent, waitFor } from "../testing/client_support.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { acceptConf, type PeerSocket, startScriptedPeer } from "../testing/scripted_peer.ts";
import { stablePort } from "../testing/stable_port.ts";
import { startTokenServer } from "../testing/token_server.ts";
import { Client } from "./client.ts";
import { ConnectionFailedError, DisconnectedError } from "./errors.ts";
import type { ConnectFailure } from "./events.ts";

const reconnect = { initialDelay: 10, maxDelay: 20 };

describe("Client shouldRetry", () => {
  it("a refused token (401) ends the retries after one attempt; connect() with a good one resumes them", async () => {
    const running = await startTokenServer(["good"]);
    let token = "bad";
    const asked: Error[] = [];
    const failures: ConnectFailure[] = [];
    const client = new Client(running.url, {
      logger: silentLogger,
      reconnect,
      dialUrl: (url) => `${url}?token=${token}`,
      shouldRetry: (error) => {
        asked.push(error);
        return !(error instanceof ConnectionFailedError && error.status === 401);
      },
      onConnectFailed: (failure) => failures.push(failure),
    });
    try {
      // A request made while disconnected dials, and fails as after a handshake error.
      const error = await client.request("echo", "x").catch((e) => e);
      assert.ok(error instanceof ConnectionFailedError, String(error));
      assert.equal(error.status, 401);
      assert.deepEqual(asked, [error]);
      assert.equal(failures.length, 1);
      assert.equal(failures[0].error, error);
      assert.equal(failures[0].retryDelay, null, "no retry follows");
      assert.equal(client.status, "disconnected");
      await delay(200);
      assert.deepEqual(running.tokens, ["bad"], "one upgrade attempt, no retry");
      assert.equal(client.status, "disconnected");
      // As after a handshake error, a request dials again (once).
      const again = await client.request("echo", "x").catch((e) => e);
      assert.equal(again.status, 401);
      await delay(100);
      assert.deepEqual(running.tokens, ["bad", "bad"]);

      token = "good";
      await client.connect();
      assert.equal((await client.request("echo", "y")).text(), "y");
      // Automatic reconnecting is back.
      const back = nextEvent(client, "connected");
      await running.kick(4000, "restarting");
      await back;
      assert.deepEqual(running.tokens, ["bad", "bad", "good", "good"]);
      assert.equal(asked.length, 3, "asked again after the kick");
      assert.equal((asked[2] as DisconnectedError).code, 4000);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("a kicked client (4001) stays away when shouldRetry says so, and comes back otherwise", async () => {
    const running = await startTokenServer([""]);
    const asked: Error[] = [];
    const client = new Client(running.url, {
      logger: silentLogger,
      reconnect,
      shouldRetry: (error) => {
        asked.push(error);
        return !(error instanceof DisconnectedError && error.code === 4001);
      },
    });
    const seen: string[] = [];
    client.addEventListener("disconnected", (event) => {
      seen.push(`disconnected ${event.detail.code} (status ${client.status})`);
    });
    try {
      await client.connect();
      await running.kick(4001, "kicked");
      await waitFor(() => seen.length === 1);
      // The listener already knows: disconnected, not connecting.
      assert.deepEqual(seen, ["disconnected 4001 (status disconnected)"]);
      assert.equal(asked.length, 1);
      assert.equal((asked[0] as DisconnectedError).reason, "kicked");
      await delay(200);
      assert.equal(running.tokens.length, 1, "not redialled");
      assert.equal(client.status, "disconnected");

      // connect() dials again; another close code is retried, and its listener sees connecting.
      await client.connect();
      const back = nextEvent(client, "connected");
      await running.kick(4000, "moved");
      await back;
      assert.deepEqual(seen.slice(1), ["disconnected 4000 (status connecting)"]);
      assert.equal(running.tokens.length, 3);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("requests held for a connection reject with the kick when no retry follows", async () => {
    let frames = 0;
    let peerSocket: PeerSocket | undefined;
    const peer = await startScriptedPeer({
      onOpen: (socket) => {
        peerSocket = socket;
        socket.send(acceptConf());
      },
      onMessage: () => void frames++, // never answers
    });
    const client = new Client(peer.url, {
      logger: silentLogger,
      reconnect,
      maxRequestsInFlight: 1,
      shouldRetry: (error) => !(error instanceof DisconnectedError && error.code === 4001),
    });
    try {
      await client.connect();
      const sent = client.request("slow").catch((e) => e);
      const held = client.request("echo", "", { timeout: 5_000 }).catch((e) => e);
      await waitFor(() => frames === 1);
      peerSocket!.close(4001, "kicked");
      const [lost, unsent] = await Promise.all([sent, held]);
      assert.ok(lost instanceof DisconnectedError && lost.code === 4001, String(lost));
      // Not left waiting (up to its timeout) for a connection that is not coming.
      assert.ok(unsent instanceof DisconnectedError, String(unsent));
      assert.equal(unsent.code, 4001);
      assert.equal(unsent.reason, "kicked");
      assert.equal(frames, 1, "the held request was never sent");
      assert.equal(client.status, "disconnected");
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("a shouldRetry that throws counts as true, logged at its 1st throw", async () => {
    const { logger, errors } = recordingLogger();
    const failures: ConnectFailure[] = [];
    const client = new Client(`ws://127.0.0.1:${await stablePort()}/`, {
      logger,
      reconnect: { initialDelay: 20, maxDelay: 40 },
      shouldRetry: () => {
        throw new Error("bug in the hook");
      },
      onConnectFailed: (failure) => failures.push(failure),
    });
    await client.connect().catch(() => {});
    await waitFor(() => failures.length >= 3);
    await client.close();
    assert.ok(failures.every((failure) => typeof failure.retryDelay === "number"));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /^webwire client: shouldRetry threw; retrying as if/);
    assert.equal((errors[0].details[0] as Error).message, "bug in the hook");
  });

  it("is not asked without autoconnect", async () => {
    let asked = 0;
    const client = new Client(`ws://127.0.0.1:${await stablePort()}/`, {
      logger: silentLogger,
      autoconnect: false,
      shouldRetry: () => (asked++, true),
    });
    await client.connect().catch(() => {});
    assert.equal(asked, 0);
    assert.equal(client.status, "disconnected");
    await client.close();
  });
});
