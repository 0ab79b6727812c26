// A connection that ends after its handshake but before its connect attempt is over (while the
// stored key is read, or the session restored) fails the attempt with why it ended: a protocol
// violation of the server is that ProtocolError, on Deno as on Bun; a close names its code.
// Before, Deno told only "the connection was lost while connecting", with no cause.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { acceptConf, type PeerSocket, startScriptedPeer } from "../testing/scripted_peer.ts";
import { nextEvent } from "../testing/client_support.ts";
import { DisconnectedError } from "./errors.ts";
import type { ClientEventMap } from "./events.ts";
import type { SessionStorage } from "./session_storage.ts";

/** An unknown message type: a protocol violation. */
const malformed = new Uint8Array([200, 1, 2]);
const sessionJson = '{"k":"abc","c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}';

/** A storage holding `key` whose `get` answers only after 100 ms. */
function slowStorage(key: string): SessionStorage {
  return {
    get: () => new Promise((resolve) => setTimeout(() => resolve(key), 100)),
    set: () => {},
  };
}

/** Connects once; returns the rejection and the `connectfailed` details. */
async function failedConnect(client: Client): Promise<{
  error: unknown;
  failures: ClientEventMap["connectfailed"]["detail"][];
}> {
  const failures: ClientEventMap["connectfailed"]["detail"][] = [];
  client.addEventListener("connectfailed", (event) => failures.push(event.detail));
  const error = await client.connect().then(() => "connected", (e) => e);
  return { error, failures };
}

test("a malformed frame while the stored key is read fails the attempt with it", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      socket.send(acceptConf());
      socket.send(malformed);
    },
  });
  const client = new Client(peer.url, {
    autoconnect: false,
    logger: silentLogger,
    sessionStorage: slowStorage("abc"),
  });
  try {
    const { error, failures } = await failedConnect(client);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal(error.reason, "unknown-type");
    assert.equal(failures.length, 1);
    assert.equal(failures[0].error, error);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("a close while the stored key is read fails the attempt naming its code", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      socket.send(acceptConf());
      socket.close(4000, "bye");
    },
  });
  const client = new Client(peer.url, {
    autoconnect: false,
    logger: silentLogger,
    sessionStorage: slowStorage("abc"),
  });
  try {
    const { error, failures } = await failedConnect(client);
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.equal(error.code, 4000);
    assert.equal(error.reason, "bye");
    assert.match(error.message, /lost while connecting: .*code 4000, "bye"/);
    assert.ok(error.cause instanceof DisconnectedError && error.cause.code === 4000);
    assert.equal(failures[0].error, error);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("a malformed frame right behind the accept-conf is told, however it falls", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      socket.send(acceptConf());
      socket.send(malformed);
    },
  });
  const client = new Client(peer.url, { autoconnect: false, logger: silentLogger });
  try {
    const dropped = nextEvent(client, "disconnected").catch(() => null);
    const { error, failures } = await failedConnect(client);
    if (error === "connected") {
      // Bun hands the frame over after the attempt is over: the connection drops with it.
      const event = await dropped;
      assert.ok(event?.detail.cause instanceof ProtocolError, String(event?.detail.cause));
    } else {
      // Deno hands it over before the attempt is over: the attempt fails with it.
      assert.ok(error instanceof ProtocolError, String(error));
      assert.equal(error.reason, "unknown-type");
      assert.equal(failures[0].error, error);
    }
  } finally {
    await client.close();
    await peer.close();
  }
});

test("a malformed frame right behind the accept-conf of a reconnect is told", async () => {
  let connections = 0;
  const sockets: PeerSocket[] = [];
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      sockets.push(socket);
      socket.send(acceptConf());
      // The first connection gets a session; the next one a violation before the restore.
      socket.send(++connections === 1 ? encodeSessionCreated(sessionJson) : malformed);
    },
    // Deno may restore the session just created (it came before the connection was ready).
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      socket.send(encodeReply({ id: data.slice(1, 9), payload: sessionJson }));
    },
  });
  const client = new Client(peer.url, {
    logger: silentLogger,
    reconnect: { initialDelay: 10, maxDelay: 20 },
  });
  try {
    const created = nextEvent(client, "sessioncreated");
    await client.connect();
    await created;
    const failed = nextEvent(client, "connectfailed");
    sockets[0].close(4000, "dropped by the test");
    const { detail } = await failed;
    assert.ok(detail.error instanceof ProtocolError, String(detail.error));
    assert.equal(detail.error.reason, "unknown-type");
    assert.equal(typeof detail.retryDelay, "number", "the client goes on reconnecting");
    assert.equal(client.session?.key, "abc", "the session is kept for the next attempt");
  } finally {
    await client.close();
    await peer.close();
  }
});
