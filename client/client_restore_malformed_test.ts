// A restore reply whose session JSON does not parse: restoreSession rejects with a
// ProtocolError and the client closes the connection, as for any malformed server message, so
// that the server (which attached the session to it) lets it go. A scripted server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { DisconnectedError } from "./errors.ts";
import type { ConnectFailure } from "./events.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MessageType } from "../protocol/message_type.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { WebwireError } from "../protocol/webwire_error.ts";
import { acceptConf, type PeerSocket, startScriptedPeer } from "../testing/scripted_peer.ts";
import { nextEvent } from "../testing/client_support.ts";
import { until } from "../testing/until.ts";

const key = "k".repeat(40);

/** A server that accepts every connection and answers each restore with `payload`. */
async function restoreAnswering(payload: string) {
  const counts = { opened: 0, closed: 0, restores: 0 };
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      counts.opened++;
      socket.send(acceptConf());
    },
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      counts.restores++;
      socket.send(encodeReply({ id: data.slice(1, 9), payload }));
    },
    onClose: () => void counts.closed++,
  });
  return { peer, counts };
}

for (
  const payload of [
    "{not json",
    '{"k":"x","c":"2021-02-30T00:00:00Z","l":"2021-01-01T00:00:00Z"}',
    "[]",
  ]
) {
  test(`a restore answered ${payload} rejects with a ProtocolError and drops the connection`, async () => {
    const { peer, counts } = await restoreAnswering(payload);
    const events: string[] = [];
    let lost: unknown;
    const client = new Client(peer.url, {
      logger: silentLogger,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    for (const type of ["connected", "disconnected", "sessioncreated", "sessionclosed"]) {
      client.addEventListener(type, (event) => {
        events.push(type);
        if (type === "disconnected") lost = (event as CustomEvent).detail;
      });
    }
    try {
      await client.connect();
      const error = await client.restoreSession(key).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ProtocolError, String(error));
      assert.equal(error.reason, "bad-session");
      assert.ok(error instanceof WebwireError);
      assert.equal(client.session, null);
      await until(() => counts.closed === 1, "the client closed the connection");
      assert.ok(lost instanceof DisconnectedError && lost.cause === error);
      // It reconnects without a session: nothing to restore.
      await until(
        () => client.status === "connected" && counts.opened === 2,
        "the client reconnected",
      );
      assert.deepEqual(events, ["connected", "disconnected", "connected"]);
      assert.equal(counts.restores, 1);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

test("a restore on connect answered with no session JSON fails that attempt; the next goes without", async () => {
  const { peer, counts } = await restoreAnswering("{not json");
  const failures: unknown[] = [];
  const events: string[] = [];
  const client = new Client(peer.url, {
    logger: silentLogger,
    reconnect: { initialDelay: 10, maxDelay: 20 },
    sessionStorage: memorySessionStorage(key),
  });
  client.addEventListener("connectfailed", (event) => failures.push(event.detail.error));
  for (const type of ["connected", "sessionclosed"]) {
    client.addEventListener(type, () => void events.push(type));
  }
  try {
    // The first connection's restore fails and the connection goes with it (the server holds
    // the session on it); the next one connects without restoring.
    const first = await client.connect().then(() => null, (error: unknown) => error);
    assert.ok(first instanceof ProtocolError && first.reason === "bad-session", String(first));
    // Under autoconnect the client tries again by itself, without the session.
    await until(() => client.status === "connected", "connected again");
    assert.equal(counts.opened, 2);
    assert.equal(counts.restores, 1);
    assert.equal(client.session, null);
    assert.ok(failures[0] instanceof ProtocolError && failures[0].reason === "bad-session");
    assert.deepEqual(events, ["sessionclosed", "connected"]);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("a malformed frame during the restore after a reconnect drops that connection; reconnecting goes on", async () => {
  const sessionJson = JSON.stringify({
    k: key,
    c: "2026-12-01T00:00:00Z",
    l: "2026-12-01T00:00:00Z",
  });
  const sockets: PeerSocket[] = [];
  let restores = 0;
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      sockets.push(socket);
      socket.send(acceptConf());
    },
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      // The second restore (the first after the reconnect) gets a session-created with no
      // session JSON: a protocol violation on a connection that passed its handshake.
      if (++restores === 2) return socket.send(new Uint8Array([MessageType.SessionCreated]));
      socket.send(encodeReply({ id: data.slice(1, 9), payload: sessionJson }));
    },
  });
  const failures: ConnectFailure[] = [];
  const client = new Client(peer.url, {
    logger: silentLogger,
    reconnect: { initialDelay: 10, maxDelay: 20 },
    sessionStorage: memorySessionStorage(key),
  });
  client.addEventListener("connectfailed", (event) => failures.push(event.detail));
  try {
    await client.connect();
    assert.equal(client.session?.key, key);
    const lost = nextEvent(client, "disconnected");
    sockets[0].close(4000, "dropped by the test");
    await lost;
    await until(() => failures.length === 1, "the restore after the reconnect failed", 2000);
    const [failure] = failures;
    assert.ok(failure.error instanceof ProtocolError, String(failure.error));
    assert.equal(failure.error.reason, "too-short");
    assert.equal(typeof failure.retryDelay, "number", "the client goes on reconnecting");
    await until(() => client.status === "connected", "connected again", 2000);
    assert.equal(restores, 3);
    assert.equal(client.session?.key, key, "the session is kept and restored");
  } finally {
    await client.close();
    await peer.close();
  }
});
