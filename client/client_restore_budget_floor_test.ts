// A server that announces a tiny read timeout (1 ms) still gives a restore 200 ms to be
// answered (the read timeout is reckoned as at least 100 ms, as for the heartbeat): from the
// announced value alone, a restore answered after 60 ms timed out at 2 ms, and the attempts
// then signed the user out. Real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { silentLogger } from "../protocol/logger.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";

const key = "k".repeat(40);
const sessionJson = JSON.stringify({
  k: key,
  c: "2026-12-01T00:00:00Z",
  l: "2026-12-01T00:00:00Z",
});

test("a restore from a server announcing a 1 ms read timeout may take 60 ms", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf({ readTimeoutMs: 1 })),
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      const id = data.slice(1, 9);
      setTimeout(() => socket.send(encodeReply({ id, payload: sessionJson })), 60);
    },
  });
  const storage = memorySessionStorage(key);
  const closed: string[] = [];
  const client = new Client(peer.url, { logger: silentLogger, sessionStorage: storage });
  client.addEventListener("sessionclosed", () => void closed.push("sessionclosed"));
  try {
    await client.connect();
    assert.equal(client.session?.key, key, "restored");
    assert.deepEqual(closed, []);
    assert.equal(await storage.get(), key, "still stored");
  } finally {
    await client.close();
    await peer.close();
  }
});
