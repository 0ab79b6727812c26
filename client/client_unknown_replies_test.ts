// A server that sends replies to requests the client never made (or that timed out) cannot
// flood the client's log: the 1st, 10th, 100th, ... are logged, and the connection stays up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
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
