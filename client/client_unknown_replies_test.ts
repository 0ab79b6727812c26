// A server that sends replies to requests the client never made cannot flood the client's log:
// the 1st, 10th, 100th, ... are logged, and the connection stays up. Late replies to requests the
// client gave up on (timed out, canceled) are logged as late, not as replies to unknown requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

test("replies to unknown requests are logged at the 1st and 10th of 12, not each", async () => {
  const peer = await startScriptedPeer({
    onOpen: (socket) => {
      socket.send(acceptConf());
      for (let id = 1000; id < 1012; id++) {
        socket.send(encodeReply({ id: requestIdFromNumber(id), payload: "stray" }));
      }
      socket.send(encodeSignal({ name: "done" })); // comes after them
    },
  });
  const { logger, warnings } = recordingLogger();
  let done = false;
  const client = new Client(peer.url, { logger, onSignal: () => done = true });
  try {
    await client.connect();
    await until(() => done, "all arrived");
    const strays = warnings.filter((line) => line.includes("ignored a reply to unknown request"));
    assert.deepEqual(strays, [
      "webwire client: ignored a reply to unknown request 1000",
      "webwire client: ignored a reply to unknown request 1009 (10 so far)",
    ]);
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await peer.close();
  }
});

test("late replies to requests that timed out or were canceled are logged as late, not as unknown", async () => {
  const held: Uint8Array[] = [];
  const peer = await startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf()),
    onMessage: (socket, data) => {
      if (typeof data === "string") return;
      if (data[0] === MessageType.RequestUtf8) held.push(data.slice(1, 9));
      if (data[0] !== MessageType.SignalUtf8) return; // the client's go-ahead
      for (const id of held) socket.send(encodeReply({ id, payload: "late" }));
      socket.send(encodeReply({ id: requestIdFromNumber(999), payload: "stray" }));
      socket.send(encodeSignal({ name: "done" }));
    },
  });
  const { logger, warnings } = recordingLogger();
  let done = false;
  const client = new Client(peer.url, { logger, onSignal: () => done = true });
  try {
    await client.connect();
    const timedOut = await client.request("slow", "", { timeout: 50 }).catch((e) => e);
    assert.equal(timedOut.name, "TimeoutError");
    const abort = new AbortController();
    const canceled = client.request("slow", "", { signal: abort.signal }).catch((e) => e);
    await until(() => held.length === 2, "both requests reached the peer");
    abort.abort();
    assert.equal((await canceled).name, "CanceledError");
    client.signal("go", "");
    await until(() => done, "the replies arrived");
    // The 1st, 10th, ... late reply, as for unknown ones, counted apart from them.
    assert.deepEqual(warnings.filter((line) => line.includes("ignored a")), [
      "webwire client: ignored a late reply to request 1, which timed out or was canceled",
      "webwire client: ignored a reply to unknown request 999",
    ]);
  } finally {
    await client.close();
    await peer.close();
  }
});
