// A server that sends, without end, messages the client ignores (a heartbeat, a request or a
// second accept-conf from the server, session-created with JSON that does not parse) cannot
// flood the client's log: as for replies to unknown requests, the 1st, 10th, 100th, ... are
// logged, and the connection stays up. So are the failures of a broken session storage, which
// a server sending session-created with new keys without end would make twice a message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { encodeHeartbeat, encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeRequest, encodeSignal } from "../protocol/encode_payload_message.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

const ignorable = [
  { what: "heartbeats", frame: encodeHeartbeat() },
  { what: "second accept-confs", frame: acceptConf() },
  { what: "requests", frame: encodeRequest({ id: requestIdFromNumber(1), name: "q" }) },
];

for (const { what, frame } of ignorable) {
  test(`12 ${what} from the server are logged at the 1st and 10th, not each`, async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => {
        socket.send(acceptConf());
        for (let i = 0; i < 12; i++) socket.send(frame);
        socket.send(encodeSignal({ name: "done" })); // comes after them
      },
    });
    const { logger, warnings, errors } = recordingLogger();
    let done = false;
    const client = new Client(peer.url, { logger, onSignal: () => done = true });
    try {
      await client.connect();
      await until(() => done, "all arrived");
      assert.equal(warnings.length, 2, warnings.join("\n"));
      assert.match(warnings[0], /ignored an? [a-z-]+ message from the server$/);
      assert.match(warnings[1], /ignored an? [a-z-]+ message from the server \(10 so far\)$/);
      assert.deepEqual(errors, []);
      assert.equal(client.status, "connected");
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

test("12 session-created messages that do not parse are logged at the 1st and 10th", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      socket.send(acceptConf());
      for (let i = 0; i < 12; i++) socket.send(encodeSessionCreated("{not json"));
      socket.send(encodeSignal({ name: "done" }));
    },
  });
  const { logger, errors } = recordingLogger();
  let done = false;
  const client = new Client(peer.url, { logger, onSignal: () => done = true });
  try {
    await client.connect();
    await until(() => done, "all arrived");
    assert.deepEqual(errors.map((error) => error.message), [
      "webwire client: ignored a malformed session:",
      "webwire client: ignored a malformed session (10 so far):",
    ]);
    assert.equal(client.session, null);
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await peer.close();
  }
});

for (const broken of ["throws", "rejects"] as const) {
  test(`100 new sessions from the server, a session storage that ${broken}: 3 lines`, async () => {
    // Sent once connected (the client's "go"): a session-created before that would make the
    // client restore it, which this peer does not answer.
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket) => {
        for (let i = 0; i < 100; i++) {
          const json = `{"k":"key-${i}","c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}`;
          socket.send(encodeSessionCreated(json));
        }
        socket.send(encodeSignal({ name: "done" }));
      },
    });
    const { logger, warnings, errors } = recordingLogger();
    let writes = 0;
    const sessionStorage = {
      get: () => null,
      set: () => {
        writes++;
        if (broken === "throws") throw new Error("quota exceeded");
        return Promise.reject(new Error("quota exceeded"));
      },
    };
    let done = false;
    const client = new Client(peer.url, { logger, sessionStorage, onSignal: () => done = true });
    try {
      await client.connect();
      client.signal("go");
      await until(() => done, "all arrived");
      // Each new key clears the one held, then stores itself: 199 failed writes.
      assert.equal(writes, 199);
      await until(() => errors.length >= 3, "the 100th failure logged");
      await new Promise((resolve) => setTimeout(resolve, 50)); // no more come
      assert.deepEqual(errors.map((error) => error.message), [
        "webwire client: session storage failed:",
        "webwire client: session storage failed (10 so far):",
        "webwire client: session storage failed (100 so far):",
      ]);
      assert.deepEqual(warnings, []);
      assert.equal(client.session?.key, "key-99");
      assert.equal(client.status, "connected");
    } finally {
      await client.close();
      await peer.close();
    }
  });
}
