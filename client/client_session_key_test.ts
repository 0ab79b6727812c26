// A session whose key a restore-session message cannot carry (printable ASCII only) is refused
// as it arrives, as malformed session JSON is: a session-created is logged (1st, 10th, 100th,
// ...) and ignored, a restore reply fails as malformed (bad-session). Before, the client took
// it and, at the next reconnect, could not send its restore: the session was forgotten then.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client } from "./client.ts";
import { memorySessionStorage } from "./session_storage.ts";
import type { ConnectFailure } from "./events.ts";
import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import { MessageType } from "../protocol/message_type.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { delay, nextEvent, recordingLogger } from "../testing/client_support.ts";
import { until } from "../testing/until.ts";

const times = '"c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"';
const badKeys = ["caf\u00e9", "line\nbreak", "tab\there", "del\u007f", "\u{1f511}"];

/** The session JSON of `key`. */
function sessionJson(key: string): string {
  return `{"k":${JSON.stringify(key)},${times}}`;
}

for (const key of badKeys) {
  test(`a session-created with the key ${JSON.stringify(key)} is refused`, async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => {
        socket.send(acceptConf());
        socket.send(encodeSessionCreated(sessionJson(key)));
        socket.send(encodeSessionCreated(sessionJson(key)));
      },
    });
    const log = recordingLogger();
    const storage = memorySessionStorage();
    const client = new Client(peer.url, { logger: log.logger, sessionStorage: storage });
    let created = 0;
    client.addEventListener("sessioncreated", () => created++);
    try {
      await client.connect();
      await until(() => log.errors.length > 0, "the malformed session logged", 2000);
      await delay(30);
      assert.equal(client.session, null);
      assert.equal(created, 0);
      assert.equal(storage.get(), null);
      // As malformed session JSON: logged once for the first two (1st, 10th, 100th, ...).
      assert.equal(log.errors.length, 1, log.errors.join("\n"));
      assert.match(log.errors[0], /^webwire client: ignored a malformed session: SyntaxError/);
      assert.match(log.errors[0], /printable ASCII/);
      assert.ok(!log.errors[0].includes(key), "the key, a secret, is not logged");
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

/** A server that answers every restore with the session of `key`. */
function restoresAs(key: string) {
  return startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf()),
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      socket.send(encodeReply({ id: data.slice(1, 9), payload: sessionJson(key) }));
    },
  });
}

test("a restore reply with an unsendable key fails as malformed and ends the session", async () => {
  const peer = await restoresAs("caf\u00e9");
  const log = recordingLogger();
  const storage = memorySessionStorage("stored");
  const failures: ConnectFailure[] = [];
  const client = new Client(peer.url, {
    logger: log.logger,
    sessionStorage: storage,
    reconnect: { initialDelay: 10, maxDelay: 20 },
  });
  client.addEventListener("connectfailed", (event) => failures.push(event.detail));
  const closed = nextEvent(client, "sessionclosed");
  try {
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal(error.reason, "bad-session");
    assert.equal(failures[0].error, error);
    await closed;
    assert.equal(storage.get(), null);
    assert.equal(client.session, null);
    assert.match(log.warnings[0], /stored session could not be restored: the server sent a mal/);
    await until(() => client.status === "connected", "connected again without the session");
    assert.equal(client.session, null);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("restoreSession answered with an unsendable key rejects with bad-session", async () => {
  const peer = await restoresAs("line\nbreak");
  const client = new Client(peer.url, { logger: silentLogger, autoconnect: false });
  try {
    await client.connect();
    const error = await client.restoreSession("abc").catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal(error.reason, "bad-session");
    assert.equal(client.session, null);
  } finally {
    await client.close();
    await peer.close();
  }
});
