// The server creates a session on a new connection (in its onClientConnected hook, say) while
// the client's restore of a stored key is on its way, then refuses that restore. The client
// holds the created session: `client.session`, the session storage and the session events must
// all say so. Found by client_hostile_server_test.ts. A scripted server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { encodeSessionCreated, encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MessageType } from "../protocol/message_type.ts";
import { acceptConf, type PeerSocket, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

const stored = "s".repeat(64);
const created = "c".repeat(64);
const json = (key: string) =>
  `{"k":"${key}","c":"2026-01-01T00:00:00Z","l":"2026-01-01T00:00:00Z"}`;
const createdJson = json(created);
const storedJson = json(stored);

const refusals = [
  { what: "session-not-found", reply: (id: Uint8Array) => encodeSpecialReply(3, id) },
  { what: "malformed session JSON", reply: (id: Uint8Array) => encodeReply({ id, payload: "{" }) },
];

for (const { what, reply } of refusals) {
  test(`a session created while a stored key's restore is answered ${what} stays`, async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
        if (new TextDecoder().decode(data.subarray(9)) !== stored) {
          return socket.send(encodeReply({ id: data.slice(1, 9), payload: createdJson }));
        }
        socket.send(encodeSessionCreated(createdJson));
        socket.send(reply(data.slice(1, 9)));
      },
    });
    const storage = memorySessionStorage(stored);
    const events: string[] = [];
    const client = new Client(peer.url, {
      logger: silentLogger,
      sessionStorage: storage,
      reconnect: { initialDelay: 5, maxDelay: 10 },
      onSessionCreated: (session) => events.push(`created ${session.key.slice(0, 4)}`),
      onSessionClosed: () => events.push("closed"),
    });
    try {
      await client.connect().catch(() => {}); // the malformed reply fails this attempt
      await until(() => client.status === "connected", "connected");
      assert.equal(client.session?.key, created);
      assert.equal(storage.get(), created);
      // The stored key was replaced by the created session before its restore was refused.
      assert.deepEqual(events, [`created cccc`]);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

test("a session created while a held session's restore is refused stays", async () => {
  const sockets: PeerSocket[] = [];
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      sockets.push(socket);
      socket.send(acceptConf());
    },
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      const id = data.slice(1, 9);
      if (sockets.length === 1) return socket.send(encodeReply({ id, payload: storedJson }));
      socket.send(encodeSessionCreated(createdJson));
      socket.send(encodeSpecialReply(3, id)); // the held session is gone
    },
  });
  const storage = memorySessionStorage(stored);
  const events: string[] = [];
  const client = new Client(peer.url, {
    logger: silentLogger,
    sessionStorage: storage,
    reconnect: { initialDelay: 5, maxDelay: 10 },
    onSessionCreated: (session) => events.push(`created ${session.key.slice(0, 4)}`),
    onSessionClosed: () => events.push("closed"),
    onConnected: () => events.push("connected"),
  });
  try {
    await client.connect();
    assert.equal(client.session?.key, stored);
    sockets[0].close(4000, "dropped by the test");
    await until(() => events.length >= 5, "the reconnect and its session events");
    assert.deepEqual(events, ["connected", "created ssss", "connected", "closed", "created cccc"]);
    assert.equal(client.session?.key, created);
    assert.equal(storage.get(), created);
  } finally {
    await client.close();
    await peer.close();
  }
});
