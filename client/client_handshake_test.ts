import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeHeartbeat } from "../protocol/encode_control_message.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import {
  DisconnectedError,
  IncompatibleProtocolVersionError,
  SubProtocolMismatchError,
} from "./errors.ts";
import {
  acceptConf,
  type PeerScript,
  type PeerSocket,
  startScriptedPeer,
} from "../testing/scripted_peer.ts";
import {
  delay,
  nextEvent,
  recordingLogger,
  testRequestHandler,
  waitFor,
} from "../testing/client_support.ts";

/** A peer that records what clients send and how many connected and disconnected. */
async function recordingPeer(script: PeerScript) {
  const stats = { opened: 0, closed: 0, received: [] as (Uint8Array | string)[] };
  const peer = await startScriptedPeer({
    ...script,
    onOpen: (socket) => {
      stats.opened++;
      script.onOpen?.(socket);
    },
    onMessage: (socket, data) => {
      stats.received.push(data);
      script.onMessage?.(socket, data);
    },
    onClose: (socket) => {
      stats.closed++;
      script.onClose?.(socket);
    },
  });
  return { peer, stats };
}

/** Answers every request (binary, UTF-8, UTF-16) with its id and the given reply bytes. */
function answer(
  socket: PeerSocket,
  data: Uint8Array | string,
  reply: (id: Uint8Array) => Uint8Array | string,
): void {
  if (typeof data !== "string" && data[0] >= 127 && data[0] <= 129) {
    socket.send(reply(data.subarray(1, 9)));
  }
}

describe("Client handshake and malformed server messages", () => {
  it("refuses a server of another major version and sends it nothing", async () => {
    const { peer, stats } = await recordingPeer({
      onOpen: (socket) => socket.send(acceptConf({ major: 3, minor: 1 })),
    });
    const client = new Client(peer.url, { logger: silentLogger });
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof IncompatibleProtocolVersionError, String(error));
    assert.equal(error.major, 3);
    assert.equal(error.minor, 1);
    assert.equal(client.status, "disconnected");
    await waitFor(() => stats.closed === 1);
    assert.equal(stats.received.length, 0);
    await delay(50);
    assert.equal(stats.opened, 1); // a handshake error stops reconnecting
    await client.close();
    await peer.close();
  });

  it("accepts any minor version of 2", async () => {
    const { peer } = await recordingPeer({
      onOpen: (socket) => socket.send(acceptConf({ minor: 9 })),
    });
    const client = new Client(peer.url, { logger: silentLogger });
    await client.connect();
    assert.equal(client.status, "connected");
    await client.close();
    await peer.close();
  });

  it("refuses a sub-protocol mismatch in either direction", async () => {
    const { peer: chat, stats } = await recordingPeer({
      onOpen: (socket) => socket.send(acceptConf({ subProtocol: "chat" })),
    });
    const plain = new Client(chat.url, { logger: silentLogger });
    const error = await plain.connect().catch((e) => e);
    assert.ok(error instanceof SubProtocolMismatchError, String(error));
    assert.equal(error.expected, "");
    assert.equal(error.actual, "chat");
    const other = new Client(chat.url, { logger: silentLogger, subProtocol: "game" });
    await assert.rejects(other.connect(), SubProtocolMismatchError);
    const matching = new Client(chat.url, { logger: silentLogger, subProtocol: "chat" });
    await matching.connect();
    await waitFor(() => stats.closed === 2);
    assert.equal(stats.received.length, 0);
    await Promise.all([plain.close(), other.close(), matching.close()]);
    await chat.close();

    const server = await startServer({
      onRequest: testRequestHandler,
      logger: silentLogger,
      subProtocol: "chat",
    });
    const withServer = new Client(server.url, { logger: silentLogger, subProtocol: "chat" });
    assert.equal((await withServer.request("echo", "hi")).text(), "hi");
    const without = new Client(server.url, { logger: silentLogger });
    await assert.rejects(without.connect(), SubProtocolMismatchError);
    await Promise.all([withServer.close(), without.close()]);
    await server.close();
  });

  it("refuses a first message other than accept-conf", async () => {
    const { peer } = await recordingPeer({
      onOpen: (socket) => socket.send(encodeSignal({ name: "early", payload: "x" })),
    });
    const client = new Client(peer.url, { logger: silentLogger });
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    await client.close();
    await peer.close();
  });

  for (
    const [label, malformed] of [
      ["a malformed message", new Uint8Array([191, 1, 2])],
      ["an unknown message type", new Uint8Array([99, 0, 0])],
      ["a text frame", "not binary"],
    ] as const
  ) {
    it(`drops the connection on ${label}, rejects pending requests and reconnects`, async () => {
      let connections = 0;
      const { peer, stats } = await recordingPeer({
        onOpen: (socket) => {
          connections++;
          socket.send(acceptConf());
        },
        onMessage: (socket, data) =>
          answer(
            socket,
            data,
            (id) => connections === 1 ? malformed : encodeReply({ id, payload: "fine" }),
          ),
      });
      const client = new Client(peer.url, {
        logger: silentLogger,
        reconnect: { initialDelay: 10, maxDelay: 20 },
      });
      await client.connect();
      const disconnected = nextEvent(client, "disconnected");
      const reconnected = nextEvent(client, "connected");
      const error = await client.request("q", "x").catch((e) => e);
      assert.ok(error instanceof ProtocolError, String(error));
      const event = await disconnected;
      assert.ok(event.detail instanceof DisconnectedError);
      assert.equal(event.detail.cause, error);
      await waitFor(() => stats.closed === 1);
      await reconnected;
      assert.equal(stats.opened, 2);
      assert.equal((await client.request("q", "x")).text(), "fine");
      await client.close();
      await peer.close();
    });
  }

  it("stops reconnecting and rejects waiting requests when a reconnect hits a handshake error", async () => {
    let connections = 0;
    let first: PeerSocket | undefined;
    const { peer } = await recordingPeer({
      onOpen: (socket) => {
        connections++;
        if (connections === 1) first = socket;
        socket.send(acceptConf({ major: connections === 1 ? 2 : 1 }));
      },
    });
    const client = new Client(peer.url, {
      logger: silentLogger,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    await client.connect();
    first!.close(1000, "restart");
    await nextEvent(client, "disconnected");
    const error = await client.request("q", "x", { timeout: 2000 }).catch((e) => e);
    assert.ok(error instanceof IncompatibleProtocolVersionError, String(error));
    assert.equal(client.status, "disconnected");
    assert.equal(connections, 2);
    await client.close();
    await peer.close();
  });

  it("ignores (and logs) well-formed messages a server should not send", async () => {
    const log = recordingLogger();
    const { peer } = await recordingPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) =>
        answer(socket, data, (id) => {
          socket.send(encodeHeartbeat());
          socket.send(acceptConf());
          return encodeReply({ id, payload: "ok" });
        }),
    });
    const client = new Client(peer.url, { logger: log.logger });
    await client.connect();
    assert.equal((await client.request("q")).text(), "ok");
    assert.equal(client.status, "connected");
    assert.equal(log.warnings.length, 2);
    assert.match(log.warnings[0], /heartbeat/);
    await client.close();
    await peer.close();
  });
});
