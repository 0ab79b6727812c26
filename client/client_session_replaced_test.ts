// A session the server replaces by another (a restore answered with another session, or a
// session-created while the client holds one) is lost, then the new one gained, as for any
// change of session: `sessionclosed`, then `sessioncreated`, the session storage cleared and
// then written, so that `client.session`, the storage and the events agree. A scripted server.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MessageType } from "../protocol/message_type.ts";
import { decodeText } from "../protocol/text.ts";
import { nextEvent } from "../testing/client_support.ts";
import { acceptConf, type PeerSocket, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import { memorySessionStorage, type SessionStorage } from "./session_storage.ts";

const first = "a".repeat(40);
const second = "b".repeat(40);

function sessionJson(key: string): string {
  return JSON.stringify({ k: key, c: "2026-12-01T00:00:00Z", l: "2026-12-01T00:00:00Z" });
}

/** A storage that keeps every key written to it, in order. */
function recordingStorage(key: string): { storage: SessionStorage; writes: (string | null)[] } {
  const kept = memorySessionStorage(key);
  const writes: (string | null)[] = [];
  return {
    storage: {
      get: () => kept.get(),
      set: (next) => {
        writes.push(next);
        return kept.set(next);
      },
    },
    writes,
  };
}

/** The session events of `client`, with the key of each session created. */
function sessionEvents(client: Client): string[] {
  const events: string[] = [];
  client.addEventListener("sessioncreated", (event) => events.push(`created ${event.detail.key}`));
  client.addEventListener("sessionclosed", () => events.push("closed"));
  return events;
}

/** A server that answers the restores with the sessions of `keys`, one per restore. */
async function restoresAnswering(...keys: string[]) {
  const sockets: PeerSocket[] = [];
  let restores = 0;
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      sockets.push(socket);
      socket.send(acceptConf());
    },
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      const key = keys[restores++];
      socket.send(encodeReply({ id: data.slice(1, 9), payload: sessionJson(key) }));
    },
  });
  return { peer, sockets };
}

describe("A session the server replaces", () => {
  it("a restore on reconnect answered with another session: closed, then created", async () => {
    const { peer, sockets } = await restoresAnswering(first, second);
    const { storage, writes } = recordingStorage(first);
    const client = new Client(peer.url, {
      logger: silentLogger,
      sessionStorage: storage,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    const events = sessionEvents(client);
    try {
      await client.connect();
      await until(() => events.length === 1, "the stored session announced", 2000);
      assert.equal(client.session?.key, first);
      const reconnected = nextEvent(client, "connected", 2000);
      sockets[0].close(4000, "dropped by the test");
      await reconnected;
      await until(() => events.length === 3, "the replaced session announced", 2000);
      assert.deepEqual(events, [`created ${first}`, "closed", `created ${second}`]);
      assert.equal(client.session?.key, second);
      assert.equal(await storage.get(), second);
      assert.deepEqual(writes, [first, null, second]);
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("a stored key restored as another session: closed, then the new one created", async () => {
    const { peer } = await restoresAnswering(second);
    const { storage, writes } = recordingStorage(first);
    const client = new Client(peer.url, { logger: silentLogger, sessionStorage: storage });
    const events = sessionEvents(client);
    try {
      await client.connect();
      await until(() => events.length === 2, "the session events", 2000);
      assert.deepEqual(events, ["closed", `created ${second}`]);
      assert.equal(client.session?.key, second);
      assert.equal(await storage.get(), second);
      assert.deepEqual(writes, [null, second]);
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it("a session-created while the client holds a session: closed, then created", async () => {
    // Each request creates the session whose key is its payload.
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string") return;
        const request = decodeMessage(data);
        if (request.kind !== "request") return;
        const key = decodeText(request.payload, request.encoding);
        socket.send(encodeSessionCreated(sessionJson(key)));
        socket.send(encodeReply({ id: request.id, payload: "ok" }));
      },
    });
    const { storage, writes } = recordingStorage("");
    const client = new Client(peer.url, { logger: silentLogger, sessionStorage: storage });
    const events = sessionEvents(client);
    try {
      await client.request("login", first);
      await client.request("login", second);
      assert.deepEqual(events, [`created ${first}`, "closed", `created ${second}`]);
      assert.equal(client.session?.key, second);
      assert.deepEqual(writes, [first, null, second]);
    } finally {
      await client.close();
      await peer.close();
    }
  });
});
